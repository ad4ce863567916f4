// acmectl: the command-line front of acmecpp. It parses flags, hands the work to the library, and
// maps errors to the exit codes documented in README.md. No protocol logic lives here.

#include <iostream>

#include <CLI/CLI.hpp>

#include "acmecpp/error.hpp"
#include "acmecpp/version.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "options.hpp"

namespace acmectl {
namespace {

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("--server", g.server, "ACME directory URL (default: Let's Encrypt production)");
  app.add_flag("--staging", g.staging, "use Let's Encrypt's staging directory");
  app.add_option("--ca-bundle", g.ca_bundle, "PEM file of CAs trusted for the ACME server");
  app.add_option("--email", g.email, "contact e-mail for the account");
  app.add_flag("--agree-tos", g.agree_tos, "agree to the CA's terms of service");
  app.add_option("--eab-kid", g.eab_kid, "External Account Binding key identifier");
  app.add_option("--eab-hmac-key", g.eab_hmac_key, "External Account Binding MAC key (base64url)");
  app.add_option("--store", g.store_path, "acme.json file (Traefik's format)")
      ->capture_default_str();
  app.add_option("--resolver", g.resolver,
                 "resolver section of the store (default: the only one, else letsencrypt)");
  app.add_option("--key-type", g.key_type, "certificate key: ec256|ec384|rsa2048|rsa3072|rsa4096")
      ->capture_default_str();
  app.add_option("--account-key-type", g.account_key_type,
                 "key type of a new account (rsa4096 is what Traefik can read)")
      ->capture_default_str();
  app.add_flag("-v,--verbose", g.verbose, "log every step");
  app.add_flag("-q,--quiet", g.quiet, "log errors only");
}

CLI::App* add_issue(CLI::App& app, IssueOptions& o) {
  auto* cmd = app.add_subcommand("issue", "obtain a certificate for one or more names");
  cmd->add_option("names", o.names, "DNS names; the first is the certificate's main name")
      ->required();
  cmd->add_option("--http-port", o.http_port, "port of the standalone HTTP-01 server")
      ->capture_default_str();
  cmd->add_option("--http-address", o.http_address, "address the HTTP-01 server binds")
      ->capture_default_str();
  cmd->add_option("--webroot", o.webroot,
                  "write HTTP-01 tokens under DIR/.well-known/acme-challenge/ instead");
  cmd->add_option("--preferred-chain", o.preferred_chain,
                  "keep the chain whose top certificate's issuer has this common name");
  cmd->add_flag("--json", o.json, "print the result as JSON");
  return cmd;
}

void print_error(const acmecpp::Error& e) {
  std::cerr << "acmectl: error: " << e.what() << '\n';
}

}  // namespace
}  // namespace acmectl

int main(int argc, char** argv) {
  using namespace acmectl;
  CLI::App app{"acmectl: obtain and keep TLS certificates with ACME (RFC 8555)", "acmectl"};
  app.set_version_flag("--version", "acmectl " + acmecpp::version());
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  IssueOptions issue;
  ListOptions list;
  add_global_options(app, global);
  auto* register_cmd =
      app.add_subcommand("register", "create the account, or find the existing one");
  auto* issue_cmd = add_issue(app, issue);
  auto* list_cmd = app.add_subcommand("list", "show the certificates in the store");
  list_cmd->add_flag("--json", list.json, "print JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kSuccess : kUsage;
  }
  try {
    if (*register_cmd) return run_register(global);
    if (*issue_cmd) return run_issue(global, issue);
    if (*list_cmd) return run_list(global, list);
  } catch (const acmecpp::Error& e) {
    print_error(e);
    return exit_code_for(e.kind());
  } catch (const std::exception& e) {
    std::cerr << "acmectl: unexpected error: " << e.what() << '\n';
    return kUnexpected;
  }
  return kUsage;
}
