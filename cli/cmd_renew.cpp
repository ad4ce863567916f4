// acmectl renew: cron-safe renewal of what is due. Each due certificate is renewed under the
// store's lock for its name, after checking again that it is still due (another process may
// have renewed it meanwhile), so two runs started together order it once.

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "renewal_runner.hpp"
#include "setup.hpp"

namespace acmectl {
namespace {

/// Runs the renewal of each record with at most `bound` at once. with at most `bound` at once.
std::vector<Outcome> run_bounded(const std::vector<acmecpp::CertificateRecord>& records,
                                 unsigned bound, Renewal& renewal) {
  std::vector<Outcome> outcomes(records.size(), Outcome::not_due);
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> workers;
  for (unsigned i = 0; i < std::max(1u, std::min<unsigned>(bound, records.size())); ++i) {
    workers.emplace_back([&] {
      for (std::size_t n; (n = next++) < records.size();) outcomes[n] = renewal.run(records[n]);
    });
  }
  for (auto& w : workers) w.join();
  return outcomes;
}

void wait_jitter(unsigned seconds) {
  if (seconds == 0) return;
  std::mt19937 random(std::random_device{}());
  std::this_thread::sleep_for(std::chrono::milliseconds(random() % (seconds * 1000ull)));
}

}  // namespace

int run_renew(const SettingsSource& source, const RenewOptions& options) {
  wait_jitter(options.jitter_seconds);
  const auto context = open_context(source);
  std::vector<acmecpp::CertificateRecord> records;
  for (auto& record : context.store->certificates(context.resolver)) {
    if (holds_any_name(record, options.names)) records.push_back(std::move(record));
  }
  Renewal renewal(context, options);
  const auto outcomes = run_bounded(records, options.concurrency, renewal);
  const auto count = [&outcomes](Outcome o) {
    return std::count(outcomes.begin(), outcomes.end(), o);
  };
  if (count(Outcome::failed) > 0) return kSomeRenewalsFailed;
  if (count(Outcome::hook_failed) > 0) return kHookFailed;
  return kSuccess;
}

}  // namespace acmectl
