#include <iostream>

#include "acmecpp/cert_manager.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "delivery.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"

namespace acmectl {

int run_issue(const SettingsSource& source, const IssueOptions& issue) {
  const auto context = open_context(source);
  acmecpp::CertManager manager(manager_config(context));
  acmecpp::IssuedCertificate issued;
  try {
    issued = manager.obtain(issue.names);
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
