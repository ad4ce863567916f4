// acmectl renew: cron-safe renewal of what is due. Each due certificate is renewed under the
// store's lock for its name, after checking again that it is still due (another process may
// have renewed it meanwhile), so two runs started together order it once.

#include <algorithm>
#include <atomic>
#include <future>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "acmecpp/cert_manager.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "delivery.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"

namespace acmectl {
namespace {

using Clock = std::chrono::system_clock;

enum class Outcome { not_due, renewed, would_renew, failed, hook_failed, skipped };

/// Output lines of concurrent renewals must not interleave.
void say(std::ostream& out, const std::string& line) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  out << line << '\n';
}

bool selected(const acmecpp::CertificateRecord& record, const std::vector<std::string>& names) {
  if (names.empty()) return true;
  const auto all = record.names();
  return std::any_of(names.begin(), names.end(), [&all](const std::string& n) {
    return std::find(all.begin(), all.end(), n) != all.end();
  });
}

/// The stored entry for `main` now (it may have changed since the list was read).
std::optional<acmecpp::CertificateRecord> reread(const acmecpp::Store& store,
                                                 const std::string& resolver,
                                                 const std::string& main) {
  for (auto& record : store.certificates(resolver)) {
    if (record.main == main) return record;
  }
  return std::nullopt;
}

class Renewal {
 public:
  Renewal(const Context& context, const RenewOptions& options)
      : context_(context), options_(options), manager_(manager_config(context)) {}

  Outcome run(const acmecpp::CertificateRecord& listed) {
    const std::string& main = listed.main;
    if (!options_.force && !due(listed, false)) return Outcome::not_due;
    const auto lock = context_.store->lock_name(context_.resolver, main, std::chrono::minutes(10));
    if (!lock) {
      say(std::cout, "skipped " + main + ": another process holds its lock");
      return Outcome::skipped;
    }
    const auto current = reread(*context_.store, context_.resolver, main);
    if (!current) return Outcome::not_due;  // removed meanwhile
    // Renewed by someone else while we waited: forced runs see a changed certificate, others a
    // certificate no longer due.
    if (options_.force ? current->certificate_pem != listed.certificate_pem
                       : !due(*current, true)) {
      say(std::cout, "skipped " + main + ": renewed by another process");
      return Outcome::skipped;
    }
    if (options_.dry_run) {
      say(std::cout, "would renew " + main);
      return Outcome::would_renew;
    }
    return renew(*current);
  }

 private:
  bool due(const acmecpp::CertificateRecord& record, bool quiet) {
    const auto decision = manager_.check_renewal(record, Clock::now(), options_.days);
    if (!decision.due && !quiet && context_.settings.verbose) {
      say(std::cout, "not due " + record.main + ": " + decision.reason);
    }
    return decision.due;
  }

  Outcome renew(const acmecpp::CertificateRecord& current) {
    try {
      const auto issued = manager_.renew(current);
      say(std::cout, "renewed " + to_text({context_.resolver, issued.record, issued.info}));
      const bool hook_ok = deliver(context_.settings,
                                   {acmecpp::CertificateEventType::renewed,
                                    issued.record.names(),
                                    context_.resolver,
                                    issued.info.not_after,
                                    {}},
                                   &issued.record);
      return hook_ok ? Outcome::renewed : Outcome::hook_failed;
    } catch (const acmecpp::Error& e) {
      say(std::cerr, "acmectl: error: renewing " + current.main +
                         " failed (the stored "
                         "certificate is kept): " +
                         e.what());
      deliver(
          context_.settings,
          {acmecpp::CertificateEventType::failed, current.names(), context_.resolver, {}, e.what()},
          nullptr);
      return Outcome::failed;
    }
  }

  const Context& context_;
  const RenewOptions& options_;
  acmecpp::CertManager manager_;
};

/// Runs `work` over the records with at most `bound` at once.
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
    if (selected(record, options.names)) records.push_back(std::move(record));
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
