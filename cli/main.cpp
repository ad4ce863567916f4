// SPDX-License-Identifier: Apache-2.0
// acmectl: the command-line front of acmecpp. It parses flags, hands the work to the library, and
// maps errors to the exit codes documented in README.md. No protocol logic lives here.

#include <functional>
#include <iostream>
#include <string_view>

#include <CLI/CLI.hpp>

#include "acmecpp/error.hpp"
#include "acmecpp/renewal.hpp"
#include "acmecpp/version.hpp"
#include "commands.hpp"
#include "error_text.hpp"
#include "exit_codes.hpp"
#include "log_output.hpp"
#include "printed.hpp"
#include "settings_source.hpp"
#include "version_text.hpp"

namespace {

/// Every option of `app` and its subcommands that takes one value: the last given wins.
void take_last_value(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_size() == 1 && option->get_expected_max() == 1) {
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
  }
  for (CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>{})) {
    take_last_value(*sub);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace acmectl;
  // Answered before the parser and its hundred options are built: scripts probe it often.
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::cout << version_text() << '\n';
    return kSuccess;
  }
  CLI::App app{"acmectl: obtain and keep TLS certificates with ACME (RFC 8555)", "acmectl"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  app.fallthrough();  // setting flags may follow the command too
  const SettingsSource settings(app);

  IssueOptions issue;
  ListOptions list;
  auto* register_cmd =
      app.add_subcommand("register", "create the account, or find the existing one");
  auto* issue_cmd = app.add_subcommand("issue", "obtain a certificate for one or more names");
  auto* issue_names = issue_cmd->add_option("names", issue.names,
                                            "DNS names; the first is the certificate's main name");
  auto* issue_json = issue_cmd->add_flag("--json", issue.json, "print the result as JSON");
  issue_cmd->add_flag("--force", issue.force,
                      "order even when the store holds a certificate for these names that is not "
                      "due (without it, that one is kept and reported)");
  issue_cmd->add_flag("--dry-run", issue.dry_run,
                      "order from Let's Encrypt's staging CA (or --server) and store nothing; "
                      "no deploy hook or export runs");
  issue_cmd
      ->add_option("--batch", issue.batch_file,
                   "FILE with one certificate's names a line (# comments), ordered --concurrency "
                   "at a time")
      ->excludes(issue_names)
      ->excludes(issue_json);
  auto* list_cmd = app.add_subcommand("list", "show the certificates in the store");
  list_cmd->add_flag("--json", list.json, "print JSON");

  RenewOptions renew;
  auto* renew_cmd = app.add_subcommand("renew", "renew the certificates that are due (cron-safe)");
  renew_cmd->add_option("names", renew.names, "only certificates holding one of these names");
  auto* renew_days = renew_cmd->add_option(
      "--days", renew.days,
      "renew when fewer than N days remain (default: 30, at most a third of the lifetime)");
  renew_cmd->add_flag("--force", renew.force, "renew even when not due");
  auto* renew_check = renew_cmd->add_flag("--check", renew.check,
                                          "list what is due without asking any CA, change nothing");
  renew_cmd
      ->add_flag("--dry-run", renew.dry_run,
                 "renew what is due (all with --force) from Let's Encrypt's staging CA (or "
                 "--server) and store nothing; no deploy hook or export runs")
      ->excludes(renew_check);
  renew_cmd->add_option("--jitter", renew.jitter,
                        "wait a random time up to DURATION first (90, 90s, 15m, 2h), so that cron "
                        "runs everywhere do not ask the CA at the same second; SIGTERM ends the "
                        "wait");

  RunOptions run_options;
  auto* run_cmd = app.add_subcommand(
      "run", "keep the certificates listed in --config: check now and every --interval");
  run_cmd->add_option("--interval", run_options.interval_seconds, "seconds between checks")
      ->capture_default_str();
  auto* run_days = run_cmd->add_option(
      "--days", run_options.days,
      "renew when fewer than N days remain (default: 30, at most a third of the lifetime)");

  ExportOptions export_options;
  auto* export_cmd = app.add_subcommand("export", "write certificates as PEM files");
  export_cmd->add_option("names", export_options.names, "only these certificates");
  export_cmd->add_option("--out", export_options.out_dir, "output directory")->required();
  export_cmd->add_option("--format", export_options.format, "pem, haproxy or traefik")
      ->capture_default_str();

  RevokeOptions revoke;
  auto* revoke_cmd = app.add_subcommand("revoke", "revoke a stored certificate");
  revoke_cmd->add_option("name", revoke.name, "main name of the certificate")->required();
  revoke_cmd->add_option("--reason", revoke.reason,
                         "unspecified, keyCompromise, superseded or cessationOfOperation "
                         "(the reasons Let's Encrypt accepts)");
  revoke_cmd->add_flag("--with-certificate-key", revoke.use_certificate_key,
                       "sign with the certificate's key instead of the account's");
  revoke_cmd->add_flag("--remove", revoke.remove, "remove the certificate from the store too");

  std::string account_action;
  auto* account_cmd = app.add_subcommand("account", "show or change the account");
  account_cmd->add_option("action", account_action, "show, update (--email), rollover, deactivate")
      ->required()
      ->check(CLI::IsMember({"show", "update", "rollover", "deactivate"}));

  MigrateOptions migrate;
  auto* migrate_cmd =
      app.add_subcommand("migrate", "copy every account and certificate from one store to another");
  migrate_cmd->add_option("--from", migrate.from, "the store to read: acme.json or redis://...")
      ->required();
  migrate_cmd->add_option("--to", migrate.to, "the store to write: acme.json or redis://...")
      ->required();
  migrate_cmd->add_flag("--force", migrate.force, "write into a store that is not empty");

  // A repeated single-value option (--server a --server b) takes the last one, as scripts that
  // layer flags expect; repeatable settings (lists) keep every value.
  take_last_value(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kSuccess : kUsage;
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e) == 0 ? kSuccess : kUsage;
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e) == 0 ? kSuccess : kUsage;
  } catch (const CLI::ParseError& e) {
    // One line, as every other error (README, "Exit codes").
    log_error(std::string(e.what()) + " (see acmectl --help)");
    return kUsage;
  }
  // Without --days the library's default rule applies (README, "Renewal").
  if (renew_days->count() == 0) renew.days = acmecpp::kAutomaticRenewalDays;
  if (run_days->count() == 0) run_options.days = acmecpp::kAutomaticRenewalDays;
  try {
    // Every stderr line from here on in the format asked for (the flag, else the file's).
    set_log_format(
        acmecpp::parse_log_format(settings.resolve(settings.named_resolver()).log_format));
    if (*register_cmd) return run_register(settings);
    if (*issue_cmd && !issue.batch_file.empty())
      return run_issue_batch(settings, issue.batch_file, issue.dry_run);
    if (*issue_cmd && issue.names.empty()) {
      log_error("issue needs NAMES or --batch FILE");
      return kUsage;
    }
    if (*issue_cmd) return run_issue(settings, issue);
    if (*list_cmd) return run_list(settings, list);
    if (*renew_cmd) return run_renew(settings, renew);
    if (*run_cmd) return run_run(settings, run_options);
    if (*export_cmd) return run_export(settings, export_options);
    if (*revoke_cmd) return run_revoke(settings, revoke);
    if (*account_cmd) return run_account(settings, account_action);
    if (*migrate_cmd) return run_migrate(migrate);
  } catch (const acmecpp::Error& e) {
    log_error(in_cli_terms(e.what()));
    return exit_code_for(e.kind());
  } catch (const std::exception& e) {
    log_error(std::string("unexpected error: ") + e.what());
    return kUnexpected;
  }
  return kUsage;
}
