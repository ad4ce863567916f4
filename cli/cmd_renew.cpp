// acmectl renew: cron-safe renewal of what is due, as one pass of the library's maintenance
// engine (CertManager::maintain()) over the stored certificates: each due certificate is renewed
// under the store's lock for its name, after reading the store again (another process may have
// renewed it meanwhile), so two runs started together order it once. The store is written once
// for the whole run; exports and hooks run once it was written.

#include <iostream>
#include <random>
#include <thread>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"
#include "upkeep_report.hpp"

namespace acmectl {
namespace {

using Result = acmecpp::UpkeepOutcome::Result;

void wait_jitter(unsigned seconds) {
  if (seconds == 0) return;
  std::mt19937 random(std::random_device{}());
  std::this_thread::sleep_for(std::chrono::milliseconds(random() % (seconds * 1000ull)));
}

acmecpp::MaintainOptions maintain_options(const RenewOptions& options, unsigned concurrency) {
  acmecpp::MaintainOptions maintain;
  maintain.order = options.force ? acmecpp::MaintainOptions::Order::renew_all
                                 : acmecpp::MaintainOptions::Order::when_due;
  maintain.dry_run = options.dry_run;
  maintain.concurrency = concurrency;
  maintain.batch = true;
  maintain.renewal_days = options.days;
  return maintain;
}

}  // namespace

int run_renew(const SettingsSource& source, const RenewOptions& options) {
  wait_jitter(options.jitter_seconds);
  const auto context = open_context(source);
  const unsigned concurrency = order_concurrency(context.settings);
  std::atomic<bool> hooks_ok{true};
  acmecpp::CertManager manager(manager_config(context));
  for (const auto& record : context.store->certificates(context.resolver)) {
    if (!holds_any_name(record, options.names)) continue;
    try {
      manager.manage(managed_certificate(record.names(), context.settings, hooks_ok));
    } catch (const acmecpp::Error& e) {
      say(std::cerr,
          "acmectl: warning: skipping the stored certificate " + record.main + ": " + e.what());
    }
  }
  const auto outcomes = manager.maintain(maintain_options(options, concurrency));
  for (const auto& outcome : outcomes) report(outcome, context.resolver, context.settings);
  if (count_results(outcomes, Result::failed) > 0) return kSomeRenewalsFailed;
  return hooks_ok ? kSuccess : kHookFailed;
}

}  // namespace acmectl
