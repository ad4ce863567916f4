#include <iostream>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/http01.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"

namespace acmectl {
namespace {

std::shared_ptr<acmecpp::Solver> http01_solver(const IssueOptions& issue) {
  if (!issue.webroot.empty()) return std::make_shared<acmecpp::Http01WebrootSolver>(issue.webroot);
  return std::make_shared<acmecpp::Http01StandaloneSolver>(issue.http_address, issue.http_port);
}

}  // namespace

int run_issue(const GlobalOptions& options, const IssueOptions& issue) {
  auto store = open_store(options);
  auto config = manager_config(options, store);
  config.solvers.push_back(http01_solver(issue));
  config.preferred_chain = issue.preferred_chain;
  const std::string resolver = config.resolver;
  acmecpp::CertManager manager(std::move(config));
  const auto issued = manager.obtain(issue.names);
  const CertificateView view{resolver, issued.record, issued.info};
  if (issue.json) {
    std::cout << to_json(view).dump(2) << '\n';
  } else {
    std::cout << "issued " << to_text(view) << '\n';
  }
  return kSuccess;
}

}  // namespace acmectl
