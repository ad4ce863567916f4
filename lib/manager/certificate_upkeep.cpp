// SPDX-License-Identifier: Apache-2.0
#include "manager/certificate_upkeep.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <unordered_map>

#include "acmecpp/certificate.hpp"
#include "acmecpp/renewal.hpp"
#include "core/ascii.hpp"
#include "core/bounded_parallel.hpp"
#include "core/duration_text.hpp"
#include "core/rfc3339.hpp"
#include "manager/cancellation.hpp"
#include "manager/name_lock_wait.hpp"

namespace acmecpp::manager {
namespace {

using Delay = std::chrono::milliseconds;
using SystemClock = std::chrono::system_clock;
using Result = UpkeepOutcome::Result;

/// When to look again at a name whose lock another process held.
constexpr Delay kBusyRetry = std::chrono::minutes(1);
constexpr Delay kMinimumDelay = std::chrono::seconds(1);

std::set<std::string> lowered_set(const std::vector<std::string>& names) {
  std::set<std::string> set;
  for (const auto& name : names) set.insert(core::ascii_lower(name));
  return set;
}

template <typename TimePoint>
Delay until(TimePoint moment, TimePoint now) {
  return std::chrono::duration_cast<Delay>(moment - now);
}

/// Stored certificates by lower-cased main name, so that a pass over thousands finds each in
/// constant time.
using StoredIndex = std::unordered_multimap<std::string, const CertificateRecord*>;

StoredIndex index_of(const std::vector<CertificateRecord>& stored) {
  StoredIndex index;
  index.reserve(stored.size());
  for (const auto& record : stored) index.emplace(core::ascii_lower(record.main), &record);
  return index;
}

const CertificateRecord* find_stored(const StoredIndex& index,
                                     const std::vector<std::string>& names) {
  const auto wanted = lowered_set(names);
  const auto [first, last] = index.equal_range(core::ascii_lower(names.front()));
  for (auto it = first; it != last; ++it) {
    if (lowered_set(it->second->names()) == wanted) return it->second;
  }
  return nullptr;
}

/// 0 to 1, for next_pass_delay(): where in the interval the next regular check comes.
double random_spread() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(random);
}

UpkeepOutcome outcome(const ManagedEntry& entry, Result result, std::string detail = {}) {
  UpkeepOutcome out;
  out.names = entry.names();
  out.result = result;
  out.detail = std::move(detail);
  return out;
}

}  // namespace

struct CertificateUpkeep::Step {
  const ManagedEntry& entry;
  const MaintainOptions& options;
  const CertificateRecord* stored;  ///< as the pass found it; null: not stored
  bool publish;
  BatchCompletion* batch;  ///< null: not batched
  Delay next;              ///< when this certificate wants the next pass
};

std::optional<CertificateRecord> stored_for(const std::vector<CertificateRecord>& stored,
                                            const std::vector<std::string>& names) {
  const auto* found = find_stored(index_of(stored), names);
  return found ? std::optional<CertificateRecord>(*found) : std::nullopt;
}

Delay next_pass_delay(Delay check_interval, Delay earliest_due, double spread) {
  if (earliest_due < check_interval) return std::max(earliest_due, kMinimumDelay);
  const double share = 0.5 + 0.5 * std::clamp(spread, 0.0, 1.0);
  const auto spread_delay = Delay(static_cast<Delay::rep>(double(check_interval.count()) * share));
  return std::max(spread_delay, kMinimumDelay);
}

CertificateUpkeep::PassResult CertificateUpkeep::pass(const MaintainOptions& options,
                                                      const std::atomic<bool>& stop_requested,
                                                      bool publish) {
  const Delay interval = context_.check_interval;
  const auto entries = context_.managed.entries();
  const auto stored = context_.store.certificates(context_.resolver);
  const auto index = index_of(stored);
  std::optional<Store::Batch> store_batch;
  std::optional<BatchCompletion> completion;
  if (options.batch) {
    store_batch.emplace(context_.store);
    completion.emplace(context_.store, context_.log);
  }
  std::vector<UpkeepOutcome> outcomes(entries.size());
  std::vector<Delay> next(entries.size(), interval);
  core::run_bounded(entries.size(), options.concurrency, [&](std::size_t i) {
    const ManagedEntry& entry = entries[i];
    if (stop_requested) {
      outcomes[i] = outcome(entry, Result::stopped);
      tell_outcome(options, outcomes[i]);
      return;
    }
    Step step{entry,
              options,
              find_stored(index, entry.names()),
              publish,
              completion ? &*completion : nullptr,
              interval};
    try {
      outcomes[i] = keep(step);
      outcomes[i].stored = step.stored != nullptr;
    } catch (const std::exception& e) {
      outcomes[i] = is_cancelled(e) ? stopped(step) : unexpected_failure(step, e.what());
    } catch (...) {
      // keep() turns what it expects into outcomes; this is the net under it, since nothing may
      // escape a worker.
      outcomes[i] = unexpected_failure(step, "unexpected non-standard exception");
    }
    next[i] = step.next;
    tell_outcome(options, outcomes[i]);
    if (completion) completion->checkpoint();
  });
  if (completion) completion->finish();
  if (store_batch) store_batch->commit();
  context_.issuer.pass_done();
  Delay earliest = interval;
  for (const auto delay : next) earliest = std::min(earliest, delay);
  return {std::move(outcomes), next_pass_delay(interval, earliest, random_spread())};
}

UpkeepOutcome CertificateUpkeep::keep(Step& step) {
  const bool reorder = step.options.order == MaintainOptions::Order::obtain_all;
  if (step.stored && !reorder) return renew(step, *step.stored);
  return obtain(step);
}

UpkeepOutcome CertificateUpkeep::obtain(Step& step) {
  const ManagedEntry& entry = step.entry;
  const bool reorder = step.options.order == MaintainOptions::Order::obtain_all;
  const auto now = SteadyClock::now();
  if (!reorder && !entry.backoff.allows(now)) {
    step.next = until(*entry.backoff.retry_at(), now);
    auto out = outcome(entry, Result::backing_off);
    out.retry_in = std::max(step.next, Delay(0));
    return out;
  }
  auto lock = lock_name(entry.main());
  if (!lock) {
    context_.log(LogLevel::debug, "{} is being ordered by another process; looking again later",
                 entry.main());
    step.next = kBusyRetry;
    return outcome(entry, Result::busy, "another process holds its lock");
  }
  // Another process may have stored it while this one waited for the lock.
  if (!reorder) {
    if (const auto now_stored = stored_for(
            context_.store.certificates_named(context_.resolver, entry.main()), entry.names())) {
      if (step.publish) publish(step, *now_stored);
      context_.managed.record_success(entry.names());
      step.next = kMinimumDelay;  // the next pass checks its renewal
      return outcome(entry, Result::done_elsewhere, "stored by another process");
    }
  }
  if (step.options.dry_run) return outcome(entry, Result::would_renew, "not stored");
  IssuedCertificate issued;
  try {
    issued = context_.issuer.obtain(entry.names(), entry.spec);
  } catch (const std::exception& e) {
    if (is_cancelled(e)) return stopped(step);
    const auto failed_at = SteadyClock::now();
    std::optional<SteadyClock::time_point> not_before;
    auto out = outcome(entry, Result::failed, e.what());
    out.retry_in = failure_backoff(entry.backoff.failures() + 1);
    if (const auto at = ca_retry_at(e)) {
      // The CA's Retry-After (a rate limit, say) is the earliest next attempt.
      const auto wait = std::max(until(*at, SystemClock::now()), Delay(0));
      not_before = failed_at + wait;
      out.retry_in = std::max(out.retry_in, wait);
      context_.log(LogLevel::warning, "{}: the CA asks to wait; next attempt not before {}",
                   entry.main(), core::format_rfc3339(*at));
    }
    context_.managed.record_failure(entry.names(), failed_at, not_before);
    step.next = out.retry_in;
    failed(step, e.what());
    return out;
  }
  context_.managed.record_success(entry.names());
  if (step.publish) publish(step, issued.record);
  succeeded(step, CertificateEventType::issued, issued, std::move(lock));
  auto out = outcome(entry, Result::obtained);
  out.issued = std::move(issued);
  return out;
}

UpkeepOutcome CertificateUpkeep::renew(Step& step, const CertificateRecord& record) {
  const ManagedEntry& entry = step.entry;
  if (step.publish) publish_if_changed(step, record);
  context_.managed.record_success(entry.names());
  if (step.options.order == MaintainOptions::Order::when_due) {
    const auto now = SystemClock::now();
    const int days = step.options.renewal_days.value_or(context_.renewal_days);
    const auto decision = context_.issuer.check_renewal(record, now, days);
    if (!decision.due) {
      step.next = until(decision.renew_at, now);
      return outcome(entry, Result::not_due, decision.reason);
    }
    context_.log(LogLevel::debug, "renewing {}: {}", record.main, decision.reason);
  }
  return renew_locked(step, record);
}

UpkeepOutcome CertificateUpkeep::renew_locked(Step& step, const CertificateRecord& record) {
  const ManagedEntry& entry = step.entry;
  auto lock = lock_name(entry.main());
  if (!lock) {
    context_.log(LogLevel::debug, "{} is being renewed by another process; looking again later",
                 entry.main());
    step.next = kBusyRetry;
    return outcome(entry, Result::busy, "another process holds its lock");
  }
  // One rule after the lock: the certificate this pass decided on must still be the stored one.
  // Removed or replaced meanwhile (by another process or node), it was done elsewhere; the next
  // pass starts from what is stored then.
  const auto current =
      stored_for(context_.store.certificates_named(context_.resolver, entry.main()), entry.names());
  if (!current || current->certificate_pem != record.certificate_pem) {
    step.next = kMinimumDelay;
    if (current && step.publish) publish(step, *current);
    return outcome(entry, Result::done_elsewhere,
                   current ? "renewed by another process" : "removed by another process");
  }
  if (step.options.dry_run) return outcome(entry, Result::would_renew);
  IssuedCertificate issued;
  try {
    issued = context_.issuer.renew(*current, entry.spec);
  } catch (const std::exception& e) {
    if (is_cancelled(e)) return stopped(step);
    // renew() reported it and counted it in the stored entry, whose backoff check_renewal()
    // applies; the next pass learns from it when to try again.
    step.next = kMinimumDelay;
    failed(step, e.what());
    auto out = outcome(entry, Result::failed, e.what());
    if (const auto at = ca_retry_at(e)) {
      out.retry_in = std::max(until(*at, SystemClock::now()), Delay(0));
    }
    return out;
  }
  if (step.publish) publish(step, issued.record);
  succeeded(step, CertificateEventType::renewed, issued, std::move(lock));
  auto out = outcome(entry, Result::renewed);
  out.issued = std::move(issued);
  return out;
}

void CertificateUpkeep::tell_outcome(const MaintainOptions& options,
                                     const UpkeepOutcome& outcome) const noexcept {
  if (!options.on_outcome) return;
  try {
    options.on_outcome(outcome);
  } catch (const std::exception& e) {
    context_.log(LogLevel::warning, "the outcome callback for {} failed: {}", outcome.names.front(),
                 e.what());
  } catch (...) {
    context_.log(LogLevel::warning, "the outcome callback for {} failed", outcome.names.front());
  }
}

UpkeepOutcome CertificateUpkeep::stopped(Step& step) {
  // Stopping is not a failure: nothing is backed off or reported, and the next pass (after a
  // new start()) takes the certificate up again.
  step.next = context_.check_interval;
  auto out = outcome(step.entry, Result::stopped);
  out.stored = step.stored != nullptr;
  return out;
}

std::unique_ptr<NameLock> CertificateUpkeep::lock_name(const std::string& main) {
  // One try first, so that a wait for another holder is said once and never silent.
  auto lock = context_.store.lock_name(context_.resolver, main, Delay(0));
  if (lock || context_.lock_wait <= Delay(0)) return lock;
  context_.log(LogLevel::info, "another process holds the lock of {}; waiting up to {}", main,
               core::duration_text(context_.lock_wait));
  return wait_for_name_lock(context_.store, context_.resolver, main, context_.lock_wait,
                            context_.issuer.stop_token());
}

void CertificateUpkeep::succeeded(Step& step, CertificateEventType type,
                                  const IssuedCertificate& issued, std::unique_ptr<NameLock> lock) {
  step.next = std::min(step.next, Delay(context_.check_interval));
  const auto& sink = step.entry.spec.on_event;
  auto tell = [sink, type, record = issued.record, not_after = issued.info.not_after,
               resolver = context_.resolver, log = context_.log]() noexcept {
    if (!sink) return;
    try {
      CertificateEvent event{type, record.names(), resolver, not_after, {}, &record};
      sink(event);
    } catch (const std::exception& e) {
      log(LogLevel::error, "event callback failed: {}", e.what());
    } catch (...) {
      log(LogLevel::error, "event callback failed");
    }
  };
  if (step.batch) {
    step.batch->keep(std::move(lock));
    step.batch->defer(std::move(tell));
    return;
  }
  lock.reset();
  tell();
}

UpkeepOutcome CertificateUpkeep::unexpected_failure(Step& step, const std::string& message) {
  // Neither obtain() nor renew() saw it (an unreadable stored certificate, a store that refuses
  // a lock): reported here, and backed off like a failed order.
  const ManagedEntry& entry = step.entry;
  context_.managed.record_failure(entry.names(), SteadyClock::now());
  if (context_.notify) {
    try {
      context_.notify(
          {CertificateEventType::failed, entry.names(), context_.resolver, std::nullopt, message});
    } catch (...) {
      // notify() logs what its callback throws; nothing more to do here.
    }
  }
  failed(step, message);
  auto out = outcome(entry, Result::failed, message);
  out.stored = step.stored != nullptr;
  out.retry_in = failure_backoff(entry.backoff.failures() + 1);
  step.next = out.retry_in;
  return out;
}

void CertificateUpkeep::failed(Step& step, const std::string& message) {
  const auto& sink = step.entry.spec.on_event;
  if (!sink) return;
  try {
    sink({CertificateEventType::failed, step.entry.names(), context_.resolver, std::nullopt,
          message});
  } catch (const std::exception& e) {
    context_.log(LogLevel::error, "event callback failed: {}", e.what());
  } catch (...) {
    context_.log(LogLevel::error, "event callback failed");
  }
}

void CertificateUpkeep::publish_if_changed(const Step& step, const CertificateRecord& record) {
  const auto served = context_.cache.find(record.main);
  const auto stored_serial = parse_certificate(record.certificate_pem).serial_hex;
  if (served && core::equal_ignoring_ascii_case(served->serial_hex, stored_serial)) return;
  publish(step, record);
}

void CertificateUpkeep::publish(const Step&, const CertificateRecord& record) {
  context_.cache.put(ServingCertificate::from_record(record));
  context_.log(LogLevel::debug, "serving the certificate for {}", record.main);
}

}  // namespace acmecpp::manager
