// SPDX-License-Identifier: Apache-2.0
#pragma once
// On-demand issuance (OnDemandPolicy): a handshake for a name nobody configured may start the
// order of a certificate for it. This is the part between the handshake and CertManager::obtain():
// cheap refusal of junk and of names the policy does not allow, one issuance per name however many
// handshakes ask, a bound on issuances pending at once, a token bucket over new orders, a small
// pool of threads that run them, and the bounded wait of the handshake.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "manager/attempt_backoff.hpp"
#include "manager/logger.hpp"
#include "manager/token_bucket.hpp"

namespace acmecpp::manager {

/// Thread-safe.
class OnDemandIssuer {
 public:
  /// Orders (or finds) the certificate for one normalised name, publishes it where the next
  /// handshake finds it, and returns it; runs on a pool thread and may throw.
  using Issue = std::function<std::shared_ptr<const ServingCertificate>(const std::string& name)>;
  /// True for a name that is looked after otherwise (a managed certificate being obtained in the
  /// background): on-demand issuance leaves it alone.
  using Excluded = std::function<bool(const std::string& name)>;

  OnDemandIssuer(OnDemandPolicy policy, Issue issue, Excluded excluded, Logger log,
                 SteadyNow now = steady_now());
  /// close()
  ~OnDemandIssuer();
  OnDemandIssuer(const OnDemandIssuer&) = delete;
  OnDemandIssuer& operator=(const OnDemandIssuer&) = delete;

  /// For a handshake's name the cache did not have: nullptr unless the policy allows the name,
  /// an issuance for it is under way or may start now, and it ends within policy.wait. Never
  /// throws. The caller looks in the cache first.
  std::shared_ptr<const ServingCertificate> certificate_for(std::string_view server_name);

  /// The same without blocking, for a handshake that can pause: the certificate when the
  /// issuance is already over, pending when it is under way (then `ready` is called exactly once,
  /// on another thread, when it ends, when policy.wait has passed, or at close(), whichever
  /// comes first), otherwise neither. With policy.wait zero it never answers pending. Never
  /// throws; `ready` may throw (logged).
  UnknownNameAnswer certificate_async(std::string_view server_name, std::function<void()> ready);

  /// From now on no issuance starts: those queued are dropped (their waiters get nullptr), those
  /// running finish, and the pool's threads are joined. Idempotent.
  void close();
  /// Lets issuances start again after close().
  void open();

  /// Issuances started so far (each took a token).
  std::size_t issuances_started() const { return started_.load(); }
  /// Names refused because the bucket was empty or too many issuances were pending.
  std::size_t refusals_over_limit() const { return refused_over_limit_.load(); }

 private:
  struct Job {
    std::string name;
    std::promise<std::shared_ptr<const ServingCertificate>> promise;
  };
  using Pending = std::shared_future<std::shared_ptr<const ServingCertificate>>;
  using Deadline = std::chrono::steady_clock::time_point;
  struct Waiter {
    std::string name;
    std::function<void()> ready;
  };
  enum class Refusal { none, closed, backing_off, too_many_pending, rate_limited };

  /// The normalised name when it may be issued for (valid, not a wildcard, not excluded,
  /// allowed by the policy); nullopt otherwise.
  std::optional<std::string> admissible(std::string_view server_name) const;
  /// Joins the issuance under way for `name`, or starts one when the limits allow.
  std::optional<Pending> join_or_start(const std::string& name);
  Refusal refusal_for(const std::string& name);  // with mutex_ held
  void log_refusal(const std::string& name, Refusal refusal);
  void start_threads();  // with mutex_ held
  void serve_queue() noexcept;
  void run(Job& job);
  /// Registers `ready` for the issuance of `name` while it is pending; false when it is over.
  bool add_waiter(const std::string& name, std::function<void()>& ready);
  /// Takes out the waiters of `name` (all of them when empty); with mutex_ held.
  std::vector<std::function<void()>> take_waiters(const std::string& name);
  void call_ready(std::vector<std::function<void()>>& ready) noexcept;
  /// The thread that calls the waiters whose wait is over.
  void watch_deadlines() noexcept;

  const OnDemandPolicy policy_;
  const Issue issue_;
  const Excluded excluded_;
  const Logger log_;
  const SteadyNow now_;
  TokenBucket bucket_;
  std::atomic<std::size_t> started_{0};
  std::atomic<std::size_t> refused_over_limit_{0};

  std::mutex control_mutex_;  // serialises open() and close(), held across the joins
  std::mutex mutex_;          // guards everything below
  std::condition_variable queued_;
  std::condition_variable waiters_changed_;
  std::multimap<Deadline, Waiter> waiters_;  // paused handshakes, soonest deadline first
  bool closed_ = false;
  std::map<std::string, Pending> pending_;  // queued or running, by name
  std::deque<Job> queue_;
  std::map<std::string, AttemptBackoff> failures_;  // names whose last issuance failed
  std::set<std::string> refusals_logged_;
  std::vector<std::thread> threads_;
};

}  // namespace acmecpp::manager
