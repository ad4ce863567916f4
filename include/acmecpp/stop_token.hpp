// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Cancellation of long waits (C++17, in the spirit of C++20's std::stop_source/stop_token): a
/// StopSource asks for a stop once; every copy of its StopToken sees it, and the waits of
/// acme::Client, the DNS-01 propagation check and CertManager end at once with
/// Error(ErrorKind::cancelled) when it comes.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "acmecpp/api.hpp"

namespace acmecpp {

namespace detail {
struct StopState;
}

/// What a waiting call observes. Copyable and cheap (a shared pointer); a default-constructed
/// token has no source and is never stopped. Thread-safe.
class ACMECPP_API StopToken {
 public:
  StopToken() = default;

  /// True once the source's request_stop() was called (and from then on).
  bool stop_requested() const noexcept;
  /// False for a token without a source, which can never be stopped.
  bool stop_possible() const noexcept { return state_ != nullptr; }

  /// Waits `duration`, less when stop is requested meanwhile (a condition variable, not a
  /// polling loop). True when the whole duration passed, false when stop was requested (at once
  /// when it already was).
  bool wait_for(std::chrono::steady_clock::duration duration) const;
  /// The same up to `deadline`.
  bool wait_until(std::chrono::steady_clock::time_point deadline) const;

  /// Throws Error(ErrorKind::cancelled) "cancelled: <doing>" when stop was requested, e.g.
  /// throw_if_stopped("polling order https://...").
  void throw_if_stopped(const std::string& doing) const;

 private:
  friend class StopSource;
  friend class StopCallback;
  explicit StopToken(std::shared_ptr<detail::StopState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::StopState> state_;
};

/// Asks for a stop. Copies share the same state. Thread-safe.
class ACMECPP_API StopSource {
 public:
  StopSource();

  StopToken token() const { return StopToken(state_); }
  /// Wakes every wait on a token of this source and runs the registered callbacks on this thread,
  /// each once. True for the call that made the request, false for later ones.
  bool request_stop() noexcept;
  bool stop_requested() const noexcept;

 private:
  std::shared_ptr<detail::StopState> state_;
};

/// Runs `callback` once when stop is requested on `token` (on the thread that requests it), or at
/// once in the constructor when it already was; e.g. to abort a transfer under way. The
/// destructor unregisters it; should the callback be running on another thread then, the
/// destructor waits until it has returned, so that what it uses may be destroyed afterwards. A
/// callback must not throw (an exception is dropped) and should be quick. Not copyable.
class ACMECPP_API StopCallback {
 public:
  StopCallback(const StopToken& token, std::function<void()> callback);
  ~StopCallback();
  StopCallback(const StopCallback&) = delete;
  StopCallback& operator=(const StopCallback&) = delete;

 private:
  std::shared_ptr<detail::StopState> state_;
  std::uint64_t id_ = 0;  ///< 0: not registered (no source, or it ran in the constructor)
};

}  // namespace acmecpp
