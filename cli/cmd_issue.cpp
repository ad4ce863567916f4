// acmectl issue NAMES: a certificate for these names. When the store already holds one for the
// same set of names that is not due for renewal, it is kept and reported (exit 0) rather than
// ordered again, so that `issue` in a cron job or a provisioning script does not spend the CA's
// duplicate-certificate limit; --force orders anew anyway.

#include <algorithm>
#include <iostream>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/names.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "delivery.hpp"
#include "exit_codes.hpp"
#include "kept_settings.hpp"
#include "printed.hpp"
#include "setup.hpp"

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
      if (sorted(acmecpp::normalize_dns_names(record.names())) != wanted) continue;
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

int run_issue(const SettingsSource& source, const IssueOptions& issue) {
  const auto context = open_context(source);
  acmecpp::CertManager manager(manager_config(context));
  const auto names = acmecpp::normalize_dns_names(issue.names);
  std::string why;
  if (!issue.force) {
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
  acmecpp::ManagedCertificate certificate;
  certificate.names = issue.names;
  certificate.kept_settings = kept_settings(context.settings);
  acmecpp::IssuedCertificate issued;
  try {
    issued = manager.obtain(certificate);
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
    std::cout << "issued " << to_text(view) << '\n';
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
