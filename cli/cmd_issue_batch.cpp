// SPDX-License-Identifier: Apache-2.0
// acmectl issue --batch FILE: many certificates in one process, as one pass of the library's
// maintenance engine that orders every line anew (MaintainOptions::Order::obtain_all):
// --concurrency orders at once sharing one account and one ACME client, acme.json written once
// at the end (and every 30 s of a long batch). Every line is checked before the first order, so
// a typo on line 900 does not leave 899 orders behind.

#include <iostream>
#include <map>

#include "batch_file.hpp"
#include "commands.hpp"
#include "dry_run.hpp"
#include "error_text.hpp"
#include "exit_codes.hpp"
#include "log_output.hpp"
#include "progress.hpp"
#include "setup.hpp"
#include "upkeep_report.hpp"

namespace acmectl {
namespace {

using Result = acmecpp::UpkeepOutcome::Result;

/// The line of a failed certificate: what went wrong, with the line it was given on.
void report_failure(const acmecpp::UpkeepOutcome& outcome, std::size_t line,
                    const std::string& resolver) {
  const std::string& main = outcome.names.front();
  const std::string why = outcome.result == Result::busy
                              ? "another process holds the lock of " + main
                              : in_cli_terms(outcome.detail);
  log_error("line " + std::to_string(line) + ": issuing " + main + " failed: " + why,
            {{"name", main}, {"resolver", resolver}, {"line", line}});
}

}  // namespace

int run_issue_batch(const SettingsSource& source, const std::string& batch_file, bool dry_run) {
  const auto lines = read_batch_file(batch_file);
  const auto context = open_command_context(source, dry_run);
  acmecpp::MaintainOptions options;
  options.order = acmecpp::MaintainOptions::Order::obtain_all;
  options.concurrency = order_concurrency(context.settings);
  options.batch = true;
  std::atomic<bool> hooks_ok{true};
  acmecpp::CertManager manager(manager_config(context));
  std::map<std::string, std::size_t> line_of;  // main name (normalised, unique) -> line
  for (const auto& line : lines) {
    manager.manage(managed_certificate(line.names, context.settings, context.store, hooks_ok));
    line_of[line.names.front()] = line.line_number;
  }
  UpkeepProgress progress(dry_run ? "issue --batch --dry-run" : "issue --batch", lines.size(),
                          context.settings, context.resolver);
  options.on_outcome = progress.callback();
  const auto outcomes = manager.maintain(options);
  std::size_t failed = 0;
  for (const auto& outcome : outcomes) {
    if (outcome.result == Result::obtained) {
      report(outcome, context.resolver, context.settings);
    } else {
      report_failure(outcome, line_of[outcome.names.front()], context.resolver);
      ++failed;
    }
  }
  progress.summary(outcomes);
  if (dry_run) say_dry_run_done(context);
  if (failed > 0) {
    log_error(std::to_string(failed) + " of " + std::to_string(lines.size()) +
              " certificates could not be issued");
    return kSomeFailed;
  }
  return hooks_ok ? kSuccess : kHookFailed;
}

}  // namespace acmectl
