// SPDX-License-Identifier: Apache-2.0
#include "manager/on_demand.hpp"

#include <algorithm>

#include "acmecpp/error.hpp"
#include "acmecpp/names.hpp"
#include "manager/cancellation.hpp"

namespace acmecpp::manager {
namespace {

/// Orders run against a remote CA and mostly wait; a few at once is plenty, and max_pending
/// bounds what queues behind them.
constexpr std::size_t kMaxThreads = 4;
/// A flood of random names must not grow the memory of refusals without bound: past this many,
/// the record starts over (and a name may then be logged a second time).
constexpr std::size_t kMaxLoggedRefusals = 10000;

}  // namespace

OnDemandIssuer::OnDemandIssuer(OnDemandPolicy policy, Issue issue, Excluded excluded, Logger log,
                               SteadyNow now)
    : policy_(std::move(policy)),
      issue_(std::move(issue)),
      excluded_(std::move(excluded)),
      log_(std::move(log)),
      now_(std::move(now)),
      bucket_(policy_.burst, policy_.refill_interval, now_) {}

OnDemandIssuer::~OnDemandIssuer() {
  close();
}

std::shared_ptr<const ServingCertificate> OnDemandIssuer::certificate_for(
    std::string_view server_name) {
  try {
    const auto name = admissible(server_name);
    if (!name) return nullptr;
    const auto pending = join_or_start(*name);
    if (!pending) return nullptr;
    if (pending->wait_for(policy_.wait) != std::future_status::ready) return nullptr;
    return pending->get();
  } catch (const std::exception& e) {
    // Only resource exhaustion (a thread that cannot start, memory) gets here: the handshake
    // goes on without a certificate.
    log_(LogLevel::error, "on-demand certificate unavailable: {}", e.what());
    return nullptr;
  }
}

UnknownNameAnswer OnDemandIssuer::certificate_async(std::string_view server_name,
                                                    std::function<void()> ready) {
  try {
    const auto name = admissible(server_name);
    if (!name) return {};
    const auto pending = join_or_start(*name);
    if (!pending || policy_.wait.count() <= 0) return {};
    if (pending->wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      return {pending->get(), false};
    }
    if (add_waiter(*name, ready)) return {nullptr, true};
    // The issuance ended meanwhile (its certificate is in the cache, its answer being set), or
    // close() was called: never block the handshake's thread for it.
    if (pending->wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      return {pending->get(), false};
    }
    return {};
  } catch (const std::exception& e) {
    log_(LogLevel::error, "on-demand certificate unavailable: {}", e.what());
    return {};
  }
}

bool OnDemandIssuer::add_waiter(const std::string& name, std::function<void()>& ready) {
  std::lock_guard<std::mutex> lock(mutex_);
  // run() takes the name out of pending_ and its waiters in one step: a waiter added while the
  // name is there is called by run(); after it, by nobody.
  if (closed_ || pending_.count(name) == 0) return false;
  waiters_.emplace(std::chrono::steady_clock::now() + policy_.wait, Waiter{name, std::move(ready)});
  waiters_changed_.notify_all();
  return true;
}

std::vector<std::function<void()>> OnDemandIssuer::take_waiters(const std::string& name) {
  std::vector<std::function<void()>> taken;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (name.empty() || it->second.name == name) {
      taken.push_back(std::move(it->second.ready));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  return taken;
}

void OnDemandIssuer::call_ready(std::vector<std::function<void()>>& ready) noexcept {
  for (auto& function : ready) {
    try {
      function();
    } catch (const std::exception& e) {
      log_(LogLevel::error, "on-demand: a handshake's ready callback failed: {}", e.what());
    } catch (...) {
      log_(LogLevel::error, "on-demand: a handshake's ready callback failed");
    }
  }
  ready.clear();
}

void OnDemandIssuer::watch_deadlines() noexcept {
  try {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!closed_) {
      if (waiters_.empty()) {
        waiters_changed_.wait(lock);
        continue;
      }
      const Deadline soonest = waiters_.begin()->first;
      if (std::chrono::steady_clock::now() < soonest) {
        waiters_changed_.wait_until(lock, soonest);
        continue;
      }
      std::vector<std::function<void()>> expired;
      const auto now = std::chrono::steady_clock::now();
      while (!waiters_.empty() && waiters_.begin()->first <= now) {
        expired.push_back(std::move(waiters_.begin()->second.ready));
        waiters_.erase(waiters_.begin());
      }
      lock.unlock();
      call_ready(expired);
      lock.lock();
    }
  } catch (const std::exception& e) {
    log_(LogLevel::error, "the on-demand deadline thread stopped: {}", e.what());
  } catch (...) {
    log_(LogLevel::error, "the on-demand deadline thread stopped on a non-standard exception");
  }
}

std::optional<std::string> OnDemandIssuer::admissible(std::string_view server_name) const {
  if (!policy_.allow) return std::nullopt;
  std::string name;
  try {
    name = normalize_dns_name(server_name);
  } catch (const Error&) {
    return std::nullopt;  // junk in the SNI: refused before anything else is asked
  }
  // A wildcard is never the name a client connects to.
  if (name.front() == '*') return std::nullopt;
  if (excluded_ && excluded_(name)) return std::nullopt;
  try {
    if (!policy_.allow(name)) return std::nullopt;
  } catch (const std::exception& e) {
    log_(LogLevel::error, "on-demand policy failed for {}, refusing it: {}", name, e.what());
    return std::nullopt;
  }
  return name;
}

std::optional<OnDemandIssuer::Pending> OnDemandIssuer::join_or_start(const std::string& name) {
  Refusal refusal = Refusal::none;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (const auto it = pending_.find(name); it != pending_.end()) return it->second;
    refusal = refusal_for(name);
    if (refusal == Refusal::none) {
      Job job{name, {}};
      Pending pending = job.promise.get_future().share();
      pending_.emplace(name, pending);
      queue_.push_back(std::move(job));
      start_threads();
      queued_.notify_one();
      ++started_;
      return pending;
    }
  }
  log_refusal(name, refusal);  // outside the lock: the sink may be slow
  return std::nullopt;
}

OnDemandIssuer::Refusal OnDemandIssuer::refusal_for(const std::string& name) {
  if (closed_) return Refusal::closed;
  if (const auto it = failures_.find(name); it != failures_.end()) {
    if (!it->second.allows(now_())) return Refusal::backing_off;
  }
  if (pending_.size() >= policy_.max_pending) return Refusal::too_many_pending;
  // Last, so that a token is only spent on an issuance that really starts.
  if (!bucket_.try_take()) return Refusal::rate_limited;
  return Refusal::none;
}

void OnDemandIssuer::log_refusal(const std::string& name, Refusal refusal) {
  if (refusal != Refusal::rate_limited && refusal != Refusal::too_many_pending) return;
  ++refused_over_limit_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (refusals_logged_.size() >= kMaxLoggedRefusals) refusals_logged_.clear();
    if (!refusals_logged_.insert(name).second) return;
  }
  log_(LogLevel::warning, "on-demand certificate for {} refused: {}", name,
       refusal == Refusal::rate_limited ? "too many new orders (rate limit)"
                                        : "too many issuances pending");
}

void OnDemandIssuer::start_threads() {
  if (!threads_.empty()) return;
  const std::size_t count = std::clamp<std::size_t>(policy_.max_pending, 1, kMaxThreads);
  for (std::size_t i = 0; i < count; ++i) threads_.emplace_back([this] { serve_queue(); });
  threads_.emplace_back([this] { watch_deadlines(); });
}

void OnDemandIssuer::serve_queue() noexcept {
  // run() handles what an issuance throws; this catches the rest (a failed wait, memory), so
  // that nothing reaches std::terminate from this thread. The thread ends, and says so.
  try {
    for (;;) {
      std::unique_lock<std::mutex> lock(mutex_);
      queued_.wait(lock, [this] { return closed_ || !queue_.empty(); });
      if (closed_) return;  // close() dropped what was queued
      Job job = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      run(job);
    }
  } catch (const std::exception& e) {
    log_(LogLevel::error, "an on-demand issuance thread stopped: {}", e.what());
  } catch (...) {
    log_(LogLevel::error, "an on-demand issuance thread stopped on a non-standard exception");
  }
}

void OnDemandIssuer::run(Job& job) {
  std::shared_ptr<const ServingCertificate> issued;
  std::vector<std::function<void()>> waiting;
  bool cancelled = false;
  std::optional<std::chrono::system_clock::time_point> ca_not_before;
  try {
    log_(LogLevel::info, "on-demand issuance for {}", job.name);
    issued = issue_(job.name);
  } catch (const std::exception& e) {
    cancelled = is_cancelled(e);
    ca_not_before = ca_retry_at(e);  // the CA's Retry-After (a rate limit, say)
    log_(LogLevel::warning, "on-demand issuance for {} failed: {}", job.name, e.what());
  } catch (...) {
    log_(LogLevel::warning, "on-demand issuance for {} failed with a non-standard exception",
         job.name);
  }
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    // The issue function published the certificate before returning, so a handshake that no
    // longer finds the name pending finds the certificate instead.
    pending_.erase(job.name);
    waiting = take_waiters(job.name);
    if (issued) {
      failures_.erase(job.name);
    } else if (!cancelled) {  // stopped: the next handshake after start() may try at once
      const auto now = now_();
      std::optional<SteadyClock::time_point> not_before;
      if (ca_not_before) {
        const auto wait = *ca_not_before - std::chrono::system_clock::now();
        not_before = now + std::max(std::chrono::duration_cast<SteadyClock::duration>(wait),
                                    SteadyClock::duration::zero());
      }
      failures_[job.name].record_failure(now, not_before);
    }
  } catch (const std::exception& e) {
    // No memory to record the failure: the name may be tried again sooner than its backoff.
    log_(LogLevel::error, "on-demand issuance for {}: {}", job.name, e.what());
  }
  // Always answered, so that no handshake waits for a job that is over; then the paused ones
  // are told (the certificate is in the cache by now).
  job.promise.set_value(std::move(issued));
  call_ready(waiting);
}

void OnDemandIssuer::close() {
  std::lock_guard<std::mutex> control(control_mutex_);
  std::vector<std::thread> finishing;
  std::deque<Job> dropped;
  std::vector<std::function<void()>> waiting;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    dropped.swap(queue_);
    for (const auto& job : dropped) pending_.erase(job.name);
    finishing.swap(threads_);
    waiting = take_waiters("");
  }
  queued_.notify_all();
  waiters_changed_.notify_all();
  for (auto& job : dropped) job.promise.set_value(nullptr);
  // Paused handshakes end now (without a certificate, unless theirs arrived meanwhile).
  call_ready(waiting);
  for (auto& thread : finishing) thread.join();
}

void OnDemandIssuer::open() {
  std::lock_guard<std::mutex> control(control_mutex_);
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = false;
}

}  // namespace acmecpp::manager
