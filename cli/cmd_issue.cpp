// SPDX-License-Identifier: Apache-2.0
// acmectl issue NAMES: a certificate for these names. When the store already holds one for the
// same set of names that is not due for renewal, it is kept and reported (exit 0) rather than
// ordered again, so that `issue` in a cron job or a provisioning script does not spend the CA's
// duplicate-certificate limit; --force orders anew anyway.

#include <algorithm>
#include <iostream>
#include <optional>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/certificate.hpp"
#include "acmecpp/names.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "delivery.hpp"
#include "dry_run.hpp"
#include "exit_codes.hpp"
#include "kept_settings.hpp"
#include "log_output.hpp"
#include "printed.hpp"
#include "setup.hpp"
#include "traefik_warning.hpp"

namespace acmectl {
namespace {

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

/// The stored certificate for the same set of names as `names` (normalised; whichever is its
/// main name) that is not due, if any; `why` says why it is not due.
std::optional<acmecpp::CertificateRecord> stored_not_due(acmecpp::CertManager& manager,
                                                         const Context& context,
                                                         const std::vector<std::string>& names,
                                                         std::string& why) {
  const auto wanted = sorted(names);
  for (auto& record : context.store->certificates(context.resolver)) {
    try {
      if (sorted(acmecpp::normalize_identifiers(record.names())) != wanted) continue;
    } catch (const acmecpp::Error&) {
      continue;  // names no order could have: not the certificate asked for
    }
    const auto decision = manager.check_renewal(record, std::chrono::system_clock::now(),
                                                acmecpp::kAutomaticRenewalDays);
    if (decision.due) return std::nullopt;
    why = decision.reason;
    return record;
  }
  return std::nullopt;
}

}  // namespace

namespace {

/// The certificate another process stored for exactly `names` while this one waited for the
/// name's lock (`before`: what was stored before the wait), if any.
std::optional<acmecpp::CertificateRecord> stored_meanwhile(
    const std::vector<acmecpp::CertificateRecord>& before,
    const std::vector<acmecpp::CertificateRecord>& after, std::vector<std::string> names) {
  if (after.empty()) return std::nullopt;
  if (!before.empty() && before.front().certificate_pem == after.front().certificate_pem) {
    return std::nullopt;
  }
  auto stored = acmecpp::normalize_identifiers(after.front().names());
  std::sort(stored.begin(), stored.end());
  std::sort(names.begin(), names.end());
  if (stored != names) return std::nullopt;
  return after.front();
}

}  // namespace

int run_issue(const SettingsSource& source, const IssueOptions& issue) {
  const auto context = open_command_context(source, issue.dry_run);
  const auto config = manager_config(context);
  acmecpp::CertManager manager(config);
  const auto names = acmecpp::normalize_identifiers(issue.names);
  std::string why;
  if (!issue.force && !issue.dry_run) {  // a dry run is there to try the exchange
    if (const auto kept = stored_not_due(manager, context, names, why)) {
      const CertificateView view{context.resolver, *kept,
                                 acmecpp::parse_certificate(kept->certificate_pem)};
      if (issue.json) {
        auto json = to_json(view);
        json["kept"] = true;
        std::cout << json.dump(2) << '\n';
      } else {
        std::cout << printed("kept " + to_text(view) + ": not due (" + why +
                             "); use --force to replace")
                  << '\n';
      }
      return kSuccess;
    }
  }
  if (!issue.dry_run) warn_if_traefik_uses_store(context.settings);
  acmecpp::ManagedCertificate certificate;
  certificate.names = issue.names;
  certificate.kept_settings = kept_settings(context.settings);
  acmecpp::IssuedCertificate issued;
  bool elsewhere = false;
  try {
    // Two issues of the same names at once (nodes sharing a store, or cron and a person) order
    // once: the one that waited for the name's lock takes what the other stored meanwhile.
    auto& store = *context.store;
    const auto before = store.certificates_named(context.resolver, names.front());
    auto lock = store.lock_name(context.resolver, names.front(), std::chrono::milliseconds(0));
    if (!lock) {
      // Never a silent wait.
      log_info("another process holds the lock of " + names.front() + "; waiting",
               {{"name", names.front()}, {"resolver", context.resolver}});
      lock = store.lock_name(context.resolver, names.front(), config.lock_wait);
    }
    if (!lock) {
      throw acmecpp::Error(acmecpp::ErrorKind::busy, "another process kept the store's lock of " +
                                                         names.front() +
                                                         " longer than the lock wait");
    }
    const auto meanwhile =
        stored_meanwhile(before, store.certificates_named(context.resolver, names.front()), names);
    if (meanwhile) {
      issued.record = *meanwhile;
      issued.info = acmecpp::parse_certificate(meanwhile->certificate_pem);
      elsewhere = true;
    } else {
      issued = manager.obtain(certificate);
    }
  } catch (const acmecpp::Error& e) {
    deliver(context.settings,
            {acmecpp::CertificateEventType::failed, issue.names, context.resolver, {}, e.what()},
            nullptr, *context.store);
    throw;
  }
  const CertificateView view{context.resolver, issued.record, issued.info};
  if (issue.json) {
    auto json = to_json(view);
    if (issue.dry_run) json["dry_run"] = true;
    std::cout << json.dump(2) << '\n';
  } else {
    std::cout << (elsewhere ? "issued by another process " : "issued ") << to_text(view) << '\n';
    if (issue.dry_run) say_dry_run_done(context);
  }
  const bool hook_ok = deliver(context.settings,
                               {acmecpp::CertificateEventType::issued,
                                issued.record.names(),
                                context.resolver,
                                issued.info.not_after,
                                {}},
                               &issued.record, *context.store);
  return hook_ok ? kSuccess : kHookFailed;
}

}  // namespace acmectl
