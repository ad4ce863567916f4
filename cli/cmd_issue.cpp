#include <iostream>

#include "acmecpp/cert_manager.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"

namespace acmectl {

int run_issue(const SettingsSource& source, const IssueOptions& issue) {
  const auto context = open_context(source);
  acmecpp::CertManager manager(manager_config(context));
  const auto issued = manager.obtain(issue.names);
  const CertificateView view{context.resolver, issued.record, issued.info};
  if (issue.json) {
    std::cout << to_json(view).dump(2) << '\n';
  } else {
    std::cout << "issued " << to_text(view) << '\n';
  }
  return kSuccess;
}

}  // namespace acmectl
