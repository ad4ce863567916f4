// SPDX-License-Identifier: Apache-2.0
#include "manager/serving.hpp"

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "core/ascii.hpp"
#include "manager/name_lock_wait.hpp"

namespace acmecpp::manager {
namespace {

bool still_valid(const CertificateRecord& record) {
  return parse_certificate(record.certificate_pem).not_after > std::chrono::system_clock::now();
}

}  // namespace

Serving::Serving(Issuer& issuer, const ManagerConfig& config, Logger log,
                 CertificateEventCallback notify)
    : issuer_(issuer),
      store_(config.store),
      resolver_(config.resolver),
      policy_(config.on_demand),
      lock_wait_(config.lock_wait),
      on_pass_(config.on_pass),
      on_outcome_(config.on_outcome),
      log_(log),
      upkeep_(UpkeepContext{issuer, *config.store, config.resolver, *cache_, managed_,
                            config.check_interval, config.renewal_days, config.lock_wait, log,
                            std::move(notify)}),
      on_demand_(
          config.on_demand, [this](const std::string& name) { return issue_on_demand(name); },
          [this](const std::string& name) { return managed_.names(name); }, log),
      worker_([this](const std::atomic<bool>& stop) { return background_pass(stop); }, log) {}

Serving::~Serving() {
  stop();
}

void Serving::manage(ManagedCertificate certificate) {
  const auto normalized = managed_.manage(std::move(certificate));
  log_(LogLevel::debug, "managing {} ({} name(s))", normalized.front(), normalized.size());
  if (worker_.running()) worker_.wake();  // obtain it now, not at the next check
}

void Serving::set_managed(const std::vector<ManagedCertificate>& certificates) {
  managed_.replace_all(certificates);
  if (worker_.running()) worker_.wake();
}

void Serving::retry_now() {
  managed_.forget_failures();
  if (worker_.running()) worker_.wake();
}

std::vector<UpkeepOutcome> Serving::maintain(const MaintainOptions& options) {
  const std::atomic<bool> never{false};
  return upkeep_.pass(options, never, worker_.running()).outcomes;
}

std::chrono::milliseconds Serving::background_pass(const std::atomic<bool>& stop_requested) {
  MaintainOptions options;
  options.on_outcome = on_outcome_;
  auto result = upkeep_.pass(options, stop_requested, /*publish=*/true);
  if (on_pass_) {
    try {
      on_pass_(result.outcomes, result.next_pass);
    } catch (const std::exception& e) {
      log_(LogLevel::error, "pass callback failed: {}", e.what());
    } catch (...) {
      log_(LogLevel::error, "pass callback failed");
    }
  } else {
    for (const auto& outcome : result.outcomes) log_outcome(outcome);
  }
  return result.next_pass;
}

void Serving::log_outcome(const UpkeepOutcome& outcome) const {
  using Result = UpkeepOutcome::Result;
  const std::string& main = outcome.names.front();
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(outcome.retry_in).count();
  switch (outcome.result) {
    case Result::obtained:
      return log_(LogLevel::info, "obtained the certificate for {}", main);
    case Result::renewed:
      return log_(LogLevel::info, "renewed the certificate for {}", main);
    case Result::failed:
      if (outcome.retry_in.count() > 0) {
        return log_(LogLevel::error, "keeping the certificate for {} failed (next try in {} s): {}",
                    main, seconds, outcome.detail);
      }
      return log_(LogLevel::error, "renewing {} failed (the current certificate stays served): {}",
                  main, outcome.detail);
    case Result::busy:
    case Result::done_elsewhere:
      return log_(LogLevel::info, "{}: {}; looking again later", main, outcome.detail);
    case Result::backing_off:
      return log_(LogLevel::debug, "{} failed before; next try in {} s", main, seconds);
    case Result::not_due:
    case Result::would_renew:
    case Result::stopped:
      return;
  }
}

void Serving::start() {
  if (worker_.running()) {
    throw Error(ErrorKind::config, "CertManager::start(): the background work already runs");
  }
  // Watching first, then reading: a change made after the read is noticed, none falls between.
  watch_ = store_->watch_certificates([this](const std::string& resolver, const std::string& main) {
    take_up_change(resolver, main);
  });
  load_store();
  on_demand_.open();
  worker_.start();
}

void Serving::stop() {
  watch_.reset();
  worker_.stop();
  on_demand_.close();
}

void Serving::log_skipped(const std::vector<std::string>& skipped) const {
  for (const auto& main : skipped) {
    log_(LogLevel::error, "stored certificate for {} cannot be served; skipped", main);
  }
}

void Serving::load_store() {
  const auto records = store_->certificates(resolver_);
  log_skipped(cache_->replace(records));
  remember_taken_up(records);
  if (!policy_.allow) return;
  for (const auto& record : records) {
    try {
      if (managed_.names(record.main)) continue;
      const auto names = record.names();
      if (names.size() == 1 && policy_.allow(names.front())) managed_.manage(names);
    } catch (const std::exception& e) {
      log_(LogLevel::warning, "stored certificate for {} not adopted for renewal: {}", record.main,
           e.what());
    }
  }
}

std::shared_ptr<const ServingCertificate> Serving::certificate_for(std::string_view server_name) {
  try {
    if (auto hit = cache_->find(server_name)) return hit;  // the hot path: no lock
  } catch (const std::exception& e) {
    log_(LogLevel::error, "certificate lookup for a handshake failed: {}", e.what());
    return nullptr;
  }
  return on_demand_.certificate_for(server_name);
}

UnknownNameAnswer Serving::certificate_async(std::string_view server_name,
                                             std::function<void()> ready) {
  try {
    if (auto hit = cache_->find(server_name)) return {std::move(hit), false};
  } catch (const std::exception& e) {
    log_(LogLevel::error, "certificate lookup for a handshake failed: {}", e.what());
    return {};
  }
  return on_demand_.certificate_async(server_name, std::move(ready));
}

std::shared_ptr<const ServingCertificate> Serving::issue_on_demand(const std::string& name) {
  const auto lock = wait_for_name_lock(*store_, resolver_, name, lock_wait_, issuer_.stop_token());
  if (!lock) {
    throw Error(ErrorKind::storage, "another process holds the store's lock for " + name);
  }
  const std::vector<std::string> names{name};
  if (const auto stored = stored_for(store_->certificates(resolver_), names)) {
    if (still_valid(*stored)) {
      log_(LogLevel::info, "on-demand: {} was stored meanwhile; serving it", name);
      return publish(*stored, names);
    }
  }
  ManagedCertificate choices;
  choices.names = names;
  return publish(issuer_.obtain(names, choices).record, names);
}

std::shared_ptr<const ServingCertificate> Serving::publish(const CertificateRecord& record,
                                                           const std::vector<std::string>& names) {
  auto certificate = ServingCertificate::from_record(record);
  cache_->put(certificate);  // first, so that no handshake sees it managed but not served
  managed_.manage(names);    // renewed from now on
  return certificate;
}

std::vector<CertificateRecord> Serving::remember_taken_up(
    const std::vector<CertificateRecord>& records) {
  std::vector<CertificateRecord> changed;
  std::lock_guard<std::mutex> lock(taken_up_mutex_);
  for (const auto& record : records) {
    const auto pem_hash = std::hash<std::string>{}(record.certificate_pem);
    auto& known = taken_up_[core::ascii_lower(record.main)];
    if (known == pem_hash) continue;
    known = pem_hash;
    changed.push_back(record);
  }
  return changed;
}

void Serving::take_up_store() {
  // Added and replaced, never removed: a store that lost its content (a Redis restarted without
  // persistence) must not take down what this node serves. Only what changed is parsed.
  const auto changed = remember_taken_up(store_->certificates(resolver_));
  if (changed.empty()) return;
  const auto skipped = cache_->add(changed);
  log_skipped(skipped);
  log_(LogLevel::info, "read the store again: {} certificate(s) new or changed",
       changed.size() - skipped.size());
}

void Serving::take_up(const std::string& resolver, const std::string& main) {
  if (resolver.empty() && main.empty()) {
    take_up_store();
    return;
  }
  if (resolver != resolver_) return;
  const auto stored = store_->certificates_named(resolver_, main);
  if (stored.empty()) {
    // Removed from the store: no longer served under the names it had.
    {
      std::lock_guard<std::mutex> lock(taken_up_mutex_);
      taken_up_.erase(main);
    }
    const auto served = cache_->find(main);
    if (served && !served->names.empty() && core::ascii_lower(served->names.front()) == main) {
      cache_->remove(served->names);
    }
    return;
  }
  if (remember_taken_up({stored.front()}).empty()) return;  // served as it is already
  cache_->put(ServingCertificate::from_record(stored.front()));
  log_(LogLevel::debug, "serving the certificate of {} as the store holds it now", main);
}

void Serving::take_up_change(const std::string& resolver, const std::string& main) noexcept {
  // Only reads: tried twice when the store failed. After a Redis restart the store's connection
  // is a closed one, which the first command finds and drops, and the next makes anew; the
  // re-read asked for after that restart must not wait for the next periodic one.
  for (int attempt = 1;; ++attempt) {
    try {
      take_up(resolver, main);
      return;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::storage && attempt < 2) continue;
      log_take_up_failure(main, e);
      return;
    } catch (const std::exception& e) {
      log_take_up_failure(main, e);
      return;
    }
  }
}

void Serving::log_take_up_failure(const std::string& main, const std::exception& e) const noexcept {
  try {
    log_(LogLevel::error, "cannot take up the store's change of {}: {}",
         main.empty() ? std::string("its certificates") : main, e.what());
  } catch (...) {
    // Nothing more to do on the store's thread.
  }
}

}  // namespace acmecpp::manager
