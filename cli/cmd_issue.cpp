#include <algorithm>
#include <iostream>
#include <optional>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/certificate.hpp"
#include "acmecpp/names.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "delivery.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"

namespace acmectl {

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
  auto stored = acmecpp::normalize_dns_names(after.front().names());
  std::sort(stored.begin(), stored.end());
  std::sort(names.begin(), names.end());
  if (stored != names) return std::nullopt;
  return after.front();
}

}  // namespace

int run_issue(const SettingsSource& source, const IssueOptions& issue) {
  const auto context = open_context(source);
  const auto config = manager_config(context);
  acmecpp::CertManager manager(config);
  acmecpp::IssuedCertificate issued;
  bool elsewhere = false;
  try {
    // Two issues of the same names at once (nodes sharing a store, or cron and a person) order
    // once: the one that waited for the name's lock takes what the other stored meanwhile.
    const auto names = acmecpp::normalize_dns_names(issue.names);
    auto& store = *context.store;
    const auto before = store.certificates_named(context.resolver, names.front());
    const auto lock = store.lock_name(context.resolver, names.front(), config.lock_wait);
    if (!lock) {
      throw acmecpp::Error(acmecpp::ErrorKind::storage,
                           "another process kept the store's lock of " + names.front() +
                               " longer than the lock wait");
    }
    const auto meanwhile =
        stored_meanwhile(before, store.certificates_named(context.resolver, names.front()), names);
    if (meanwhile) {
      issued.record = *meanwhile;
      issued.info = acmecpp::parse_certificate(meanwhile->certificate_pem);
      elsewhere = true;
    } else {
      issued = manager.obtain(issue.names);
    }
  } catch (const acmecpp::Error& e) {
    deliver(context.settings,
            {acmecpp::CertificateEventType::failed, issue.names, context.resolver, {}, e.what()},
            nullptr);
    throw;
  }
  const CertificateView view{context.resolver, issued.record, issued.info};
  if (issue.json) {
    std::cout << to_json(view).dump(2) << '\n';
  } else {
    std::cout << (elsewhere ? "issued by another process " : "issued ") << to_text(view) << '\n';
  }
  const bool hook_ok = deliver(context.settings,
                               {acmecpp::CertificateEventType::issued,
                                issued.record.names(),
                                context.resolver,
                                issued.info.not_after,
                                {}},
                               &issued.record);
  return hook_ok ? kSuccess : kHookFailed;
}

}  // namespace acmectl
