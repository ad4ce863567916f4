// SPDX-License-Identifier: Apache-2.0
// acmectl renew: cron-safe renewal of what is due, as one pass of the library's maintenance
// engine (CertManager::maintain()) over the stored certificates: each due certificate is renewed
// under the store's lock for its name, after reading the store again (another process may have
// renewed it meanwhile), so two runs started together order it once. The store is written once
// for the whole run; exports and hooks run once it was written.

#include <pthread.h>
#include <signal.h>

#include <ctime>
#include <iostream>
#include <random>

#include "acmecpp/printable.hpp"

#include "commands.hpp"
#include "dry_run.hpp"
#include "exit_codes.hpp"
#include "kept_certificates.hpp"
#include "log_output.hpp"
#include "progress.hpp"
#include "setup.hpp"
#include "traefik_warning.hpp"
#include "upkeep_report.hpp"

namespace acmectl {
namespace {

using Result = acmecpp::UpkeepOutcome::Result;

/// --jitter's DURATION (none: no wait).
std::chrono::seconds parse_jitter(const std::string& text) {
  if (text.empty()) return std::chrono::seconds(0);
  return std::chrono::duration_cast<std::chrono::seconds>(parse_duration_option("--jitter", text));
}

/// Waits a random time up to `limit`; false when SIGTERM or SIGINT came first.
bool wait_jitter(std::chrono::seconds limit, bool verbose) {
  if (limit.count() <= 0) return true;
  std::mt19937_64 random(std::random_device{}());
  const auto wait = std::chrono::milliseconds(
      std::uniform_int_distribution<long long>(0, limit.count() * 1000)(random));
  // The signals are taken with sigtimedwait while blocked, so a stop during the wait is an
  // orderly exit, not a kill in the middle of nothing.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  if (verbose) {
    log_to_stderr(acmecpp::LogLevel::debug,
                  "waiting " + std::to_string(wait.count()) + " ms first (--jitter)");
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  bool stopped = false;
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    const auto left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec timeout{static_cast<time_t>(left_ns / 1'000'000'000),
                           static_cast<long>(left_ns % 1'000'000'000)};
    const int signal = sigtimedwait(&stop_signals, nullptr, &timeout);
    if (signal == SIGTERM || signal == SIGINT) {
      stopped = true;
      break;
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return !stopped;
}

acmecpp::MaintainOptions maintain_options(const RenewOptions& options, unsigned concurrency) {
  acmecpp::MaintainOptions maintain;
  maintain.order = options.force ? acmecpp::MaintainOptions::Order::renew_all
                                 : acmecpp::MaintainOptions::Order::when_due;
  maintain.dry_run = options.check;  // the library's dry_run orders nothing
  maintain.concurrency = concurrency;
  maintain.batch = true;
  maintain.renewal_days = options.days;
  return maintain;
}

}  // namespace

int run_renew(const SettingsSource& source, const RenewOptions& options) {
  const auto jitter = parse_jitter(options.jitter);  // a mistyped flag is said before any wait
  require_existing_store(source.resolve());
  const bool verbose = source.resolve(source.named_resolver()).verbose;
  if (!wait_jitter(jitter, verbose)) {
    log_info("stopped during --jitter's wait; nothing was renewed");
    return kCancelled;
  }
  // --check asks no CA, so its resolver is not tied to a server.
  const auto context =
      options.check ? open_context(source) : open_command_context(source, options.dry_run);
  if (!options.check && !options.dry_run) warn_if_traefik_uses_store(context.settings);
  const unsigned concurrency = order_concurrency(context.settings);
  std::atomic<bool> hooks_ok{true};
  acmecpp::CertManager manager(manager_config(context));
  KeptCertificates kept(source, context, hooks_ok);
  std::size_t managed = 0;
  for (const auto& record : context.store->certificates(context.resolver)) {
    if (!holds_any_name(record, options.names)) continue;
    try {
      manager.manage(kept.make(record.names(), &record));
      ++managed;
    } catch (const acmecpp::Error& e) {
      log_to_stderr(acmecpp::LogLevel::warning,
                    "skipping the stored certificate " + record.main + ": " + e.what(),
                    {{"name", record.main}, {"resolver", context.resolver}});
    }
  }
  const char* command = options.check     ? "renew --check"
                        : options.dry_run ? "renew --dry-run"
                                          : "renew";
  UpkeepProgress progress(command, managed, context.settings, context.resolver);
  auto maintain = maintain_options(options, concurrency);
  maintain.on_outcome = progress.callback();
  const auto outcomes = manager.maintain(maintain);
  for (const auto& outcome : outcomes) report(outcome, context.resolver, context.settings);
  progress.summary(outcomes);
  if (options.dry_run) say_dry_run_done(context);
  if (count_results(outcomes, Result::failed) > 0) return kSomeRenewalsFailed;
  return hooks_ok ? kSuccess : kHookFailed;
}

}  // namespace acmectl
