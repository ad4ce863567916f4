// acmectl renew: cron-safe renewal of what is due, as one pass of the library's maintenance
// engine (CertManager::maintain()) over the stored certificates: each due certificate is renewed
// under the store's lock for its name, after reading the store again (another process may have
// renewed it meanwhile), so two runs started together order it once. The store is written once
// for the whole run; exports and hooks run once it was written.

#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "kept_settings.hpp"
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
  require_existing_store(source.resolve());
  wait_jitter(options.jitter_seconds);
  const auto context = open_context(source);
  const unsigned concurrency = order_concurrency(context.settings);
  std::atomic<bool> hooks_ok{true};
  acmecpp::CertManager manager(manager_config(context));
  const KeptSettings resolver_kept = kept_settings(context.settings);
  // Certificates kept with the same settings share their solvers (one HTTP-01 server a port).
  std::map<KeptSettings, std::vector<std::shared_ptr<acmecpp::Solver>>> solvers_of;
  for (const auto& record : context.store->certificates(context.resolver)) {
    if (!holds_any_name(record, options.names)) continue;
    try {
      // As it was obtained (its kept settings over the configuration file), flags winning.
      const Settings own = source.resolve(context.resolver, record.renewal.settings,
                                          "the settings kept with " + record.main);
      auto certificate = managed_certificate(record.names(), own, hooks_ok);
      if (certificate.kept_settings != resolver_kept) {
        use_challenge(certificate, own, own.challenge.empty() ? "http-01" : own.challenge);
        const auto [known, added] =
            solvers_of.emplace(certificate.kept_settings, certificate.solvers);
        if (!added) certificate.solvers = known->second;
      }
      manager.manage(std::move(certificate));
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
