// acmectl renew: cron-safe renewal of what is due. Each due certificate is renewed under the
// store's lock for its name, after checking again that it is still due (another process may
// have renewed it meanwhile), so two runs started together order it once.

#include <algorithm>
#include <random>
#include <thread>

#include "bounded_parallel.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "renewal_runner.hpp"
#include "setup.hpp"

namespace acmectl {
namespace {

void wait_jitter(unsigned seconds) {
  if (seconds == 0) return;
  std::mt19937 random(std::random_device{}());
  std::this_thread::sleep_for(std::chrono::milliseconds(random() % (seconds * 1000ull)));
}

}  // namespace

int run_renew(const SettingsSource& source, const RenewOptions& options) {
  wait_jitter(options.jitter_seconds);
  const auto context = open_context(source);
  const unsigned bound = order_concurrency(context.settings);
  std::vector<acmecpp::CertificateRecord> records;
  for (auto& record : context.store->certificates(context.resolver)) {
    if (holds_any_name(record, options.names)) records.push_back(std::move(record));
  }
  // One write of acme.json for all renewals (and renewal bookkeeping), not one each; a long run
  // also writes at checkpoints.
  acmecpp::AcmeJsonStore::Batch batch(*context.store);
  BatchCompletion completion([&context] { context.store->flush_batch(); });
  Renewal renewal(context, options, &completion);
  std::vector<Outcome> outcomes(records.size(), Outcome::not_due);
  run_bounded(records.size(), bound, [&](std::size_t i) {
    outcomes[i] = renewal.run(records[i]);
    completion.checkpoint();
  });
  const bool deliveries_ok = completion.finish();
  batch.commit();
  const auto count = [&outcomes](Outcome o) {
    return std::count(outcomes.begin(), outcomes.end(), o);
  };
  if (count(Outcome::failed) > 0) return kSomeRenewalsFailed;
  if (count(Outcome::hook_failed) > 0 || !deliveries_ok) return kHookFailed;
  return kSuccess;
}

}  // namespace acmectl
