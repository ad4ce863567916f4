#include "manager/certificate_upkeep.hpp"

#include <strings.h>
#include <algorithm>
#include <set>

#include "acmecpp/certificate.hpp"
#include "acmecpp/renewal.hpp"
#include "manager/cancellation.hpp"

namespace acmecpp::manager {
namespace {

using Delay = std::chrono::milliseconds;
using SystemClock = std::chrono::system_clock;

/// How long a pass waits for another holder (another process) of a name's store lock; it then
/// leaves the name for a later pass rather than hold up stop().
constexpr Delay kLockWait = std::chrono::seconds(2);
/// When to look again at a name whose lock another process held.
constexpr Delay kBusyRetry = std::chrono::minutes(1);
constexpr Delay kMinimumDelay = std::chrono::seconds(1);

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return text;
}

std::set<std::string> lowered_set(const std::vector<std::string>& names) {
  std::set<std::string> set;
  for (const auto& name : names) set.insert(lower(name));
  return set;
}

template <typename TimePoint>
Delay until(TimePoint moment, TimePoint now) {
  return std::chrono::duration_cast<Delay>(moment - now);
}

}  // namespace

std::optional<CertificateRecord> stored_for(const std::vector<CertificateRecord>& stored,
                                            const std::vector<std::string>& names) {
  const auto wanted = lowered_set(names);
  const auto main = lower(names.front());
  for (const auto& record : stored) {
    if (lower(record.main) == main && lowered_set(record.names()) == wanted) return record;
  }
  return std::nullopt;
}

Delay next_pass_delay(Delay check_interval, Delay earliest_due) {
  return std::max(std::min(check_interval, earliest_due), kMinimumDelay);
}

Delay CertificateUpkeep::pass(const std::atomic<bool>& stop_requested) {
  const Delay interval = context_.check_interval;
  Delay earliest = interval;
  const auto stored = context_.store.certificates(context_.resolver);
  for (const auto& entry : context_.managed.entries()) {
    if (stop_requested) break;
    earliest = std::min(earliest, keep(entry, stored));
  }
  return next_pass_delay(interval, earliest);
}

Delay CertificateUpkeep::keep(const ManagedEntry& entry,
                              const std::vector<CertificateRecord>& stored) {
  const auto now = SteadyClock::now();
  if (!entry.backoff.allows(now)) return until(*entry.backoff.retry_at(), now);
  try {
    if (const auto record = stored_for(stored, entry.names)) return renew_if_due(entry, *record);
    return obtain_missing(entry);
  } catch (const std::exception& e) {
    if (is_cancelled(e)) return context_.check_interval;  // stopping: not a failure
    return after_failure(entry, e.what(), false);
  }
}

Delay CertificateUpkeep::obtain_missing(const ManagedEntry& entry) {
  const auto lock = context_.store.lock_name(context_.resolver, entry.main(), kLockWait);
  if (!lock) {
    context_.log(LogLevel::info, "{} is being ordered by another process; looking again later",
                 entry.main());
    return kBusyRetry;
  }
  // Another process may have stored it while this one waited for the lock.
  if (const auto now_stored =
          stored_for(context_.store.certificates(context_.resolver), entry.names)) {
    publish(*now_stored);
    context_.managed.record_success(entry.names);
    return kMinimumDelay;  // the next pass checks its renewal
  }
  IssuedCertificate issued;
  try {
    issued = context_.manager.obtain(entry.names);
  } catch (const std::exception& e) {
    if (is_cancelled(e)) return context_.check_interval;
    return after_failure(entry, e.what(), true);  // obtain() reported it
  }
  publish(issued.record);
  context_.managed.record_success(entry.names);
  return context_.check_interval;
}

Delay CertificateUpkeep::renew_if_due(const ManagedEntry& entry, const CertificateRecord& record) {
  publish_if_changed(record);
  const auto now = SystemClock::now();
  const auto decision = context_.manager.check_renewal(record, now, context_.renewal_days);
  context_.managed.record_success(entry.names);
  if (!decision.due) return until(decision.renew_at, now);
  context_.log(LogLevel::info, "renewing {}: {}", record.main, decision.reason);
  return renew_locked(entry, record);
}

Delay CertificateUpkeep::renew_locked(const ManagedEntry& entry, const CertificateRecord& record) {
  const auto lock = context_.store.lock_name(context_.resolver, entry.main(), kLockWait);
  if (!lock) {
    context_.log(LogLevel::info, "{} is being renewed by another process; looking again later",
                 entry.main());
    return kBusyRetry;
  }
  const auto current = stored_for(context_.store.certificates(context_.resolver), entry.names);
  // Removed or renewed by another process meanwhile: the next pass starts from what is stored.
  if (!current || current->certificate_pem != record.certificate_pem) return kMinimumDelay;
  try {
    publish(context_.manager.renew(*current).record);
  } catch (const std::exception& e) {
    if (is_cancelled(e)) return context_.check_interval;
    // renew() reported it and counted it in the stored entry, whose backoff check_renewal()
    // applies; the next pass learns from it when to try again.
    context_.log(LogLevel::error, "renewing {} failed (the current certificate stays served): {}",
                 entry.main(), e.what());
    return kMinimumDelay;
  }
  return context_.check_interval;
}

void CertificateUpkeep::publish_if_changed(const CertificateRecord& record) {
  const auto served = context_.cache.find(record.main);
  const auto stored_serial = parse_certificate(record.certificate_pem).serial_hex;
  if (served && ::strcasecmp(served->serial_hex.c_str(), stored_serial.c_str()) == 0) return;
  publish(record);
}

void CertificateUpkeep::publish(const CertificateRecord& record) {
  context_.cache.put(ServingCertificate::from_record(record));
  context_.log(LogLevel::debug, "serving the certificate for {}", record.main);
}

Delay CertificateUpkeep::after_failure(const ManagedEntry& entry, const std::string& message,
                                       bool reported) {
  const auto now = SteadyClock::now();
  context_.managed.record_failure(entry.names, now);
  const auto wait = failure_backoff(entry.backoff.failures() + 1);
  context_.log(LogLevel::error, "keeping the certificate for {} failed (next try in {} s): {}",
               entry.main(), wait.count(), message);
  if (!reported && context_.notify) {
    context_.notify(
        {CertificateEventType::failed, entry.names, context_.resolver, std::nullopt, message});
  }
  return wait;
}

}  // namespace acmecpp::manager
