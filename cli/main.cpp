// acmectl: the command-line front of acmecpp. It parses flags, hands the work to the library, and
// maps errors to the exit codes documented in README.md. No protocol logic lives here.

#include <iostream>

#include <CLI/CLI.hpp>

#include "acmecpp/error.hpp"
#include "acmecpp/version.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "settings_source.hpp"

int main(int argc, char** argv) {
  using namespace acmectl;
  CLI::App app{"acmectl: obtain and keep TLS certificates with ACME (RFC 8555)", "acmectl"};
  app.set_version_flag("--version", "acmectl " + acmecpp::version());
  app.require_subcommand(1);
  app.fallthrough();  // setting flags may follow the command too
  const SettingsSource settings(app);

  IssueOptions issue;
  ListOptions list;
  auto* register_cmd =
      app.add_subcommand("register", "create the account, or find the existing one");
  auto* issue_cmd = app.add_subcommand("issue", "obtain a certificate for one or more names");
  issue_cmd->add_option("names", issue.names, "DNS names; the first is the certificate's main name")
      ->required();
  issue_cmd->add_flag("--json", issue.json, "print the result as JSON");
  auto* list_cmd = app.add_subcommand("list", "show the certificates in the store");
  list_cmd->add_flag("--json", list.json, "print JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kSuccess : kUsage;
  }
  try {
    if (*register_cmd) return run_register(settings);
    if (*issue_cmd) return run_issue(settings, issue);
    if (*list_cmd) return run_list(settings, list);
  } catch (const acmecpp::Error& e) {
    std::cerr << "acmectl: error: " << e.what() << '\n';
    return exit_code_for(e.kind());
  } catch (const std::exception& e) {
    std::cerr << "acmectl: unexpected error: " << e.what() << '\n';
    return kUnexpected;
  }
  return kUsage;
}
