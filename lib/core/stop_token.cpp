// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/stop_token.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "acmecpp/error.hpp"

namespace acmecpp {

namespace detail {

/// One mutex and one condition variable guard the flag, the callbacks and the one running: waits
/// and a StopCallback destructor that waits for its running callback share it.
struct StopState {
  std::mutex mutex;
  std::condition_variable changed;
  std::atomic<bool> stopped{false};  // set with mutex held, so that waits cannot miss it
  std::map<std::uint64_t, std::function<void()>> callbacks;
  std::uint64_t next_id = 1;
  std::uint64_t running_id = 0;  // the callback request_stop() runs now; 0: none
  std::thread::id running_thread;
};

}  // namespace detail

namespace {

/// Keeps `now + duration` inside the clock's range: a wait of "for ever" lasts a century.
std::chrono::steady_clock::time_point deadline_after(std::chrono::steady_clock::duration duration) {
  constexpr std::chrono::steady_clock::duration kLongest = std::chrono::hours(24 * 365 * 100);
  return std::chrono::steady_clock::now() + std::clamp(duration, duration.zero(), kLongest);
}

}  // namespace

bool StopToken::stop_requested() const noexcept {
  return state_ && state_->stopped.load();
}

bool StopToken::wait_for(std::chrono::steady_clock::duration duration) const {
  return wait_until(deadline_after(duration));
}

bool StopToken::wait_until(std::chrono::steady_clock::time_point deadline) const {
  if (!state_) {
    std::this_thread::sleep_until(deadline);
    return true;
  }
  std::unique_lock<std::mutex> lock(state_->mutex);
  return !state_->changed.wait_until(lock, deadline, [this] { return state_->stopped.load(); });
}

void StopToken::throw_if_stopped(const std::string& doing) const {
  if (stop_requested()) throw Error(ErrorKind::cancelled, "cancelled: " + doing);
}

StopSource::StopSource() : state_(std::make_shared<detail::StopState>()) {}

bool StopSource::stop_requested() const noexcept {
  return token().stop_requested();
}

bool StopSource::request_stop() noexcept {
  detail::StopState& state = *state_;
  std::unique_lock<std::mutex> lock(state.mutex);
  if (state.stopped) return false;
  state.stopped = true;
  state.changed.notify_all();
  state.running_thread = std::this_thread::get_id();
  while (!state.callbacks.empty()) {
    auto first = state.callbacks.begin();
    std::function<void()> callback = std::move(first->second);
    state.running_id = first->first;
    state.callbacks.erase(first);
    lock.unlock();
    try {
      callback();
    } catch (...) {
      // Documented: a callback must not throw; what it throws anyway is dropped.
    }
    callback = nullptr;  // destroyed before its StopCallback may return
    lock.lock();
    state.running_id = 0;
    state.changed.notify_all();
  }
  return true;
}

StopCallback::StopCallback(const StopToken& token, std::function<void()> callback)
    : state_(token.state_) {
  if (!state_ || !callback) return;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (!state_->stopped) {
      id_ = state_->next_id++;
      state_->callbacks.emplace(id_, std::move(callback));
      return;
    }
  }
  callback();  // already stopped: run at once, on this thread
}

StopCallback::~StopCallback() {
  if (id_ == 0) return;
  std::unique_lock<std::mutex> lock(state_->mutex);
  if (state_->callbacks.erase(id_) > 0) return;  // never ran
  // It ran or runs now. Running on this very thread (the callback destroys its own
  // registration) must not wait for itself.
  if (state_->running_thread == std::this_thread::get_id()) return;
  state_->changed.wait(lock, [this] { return state_->running_id != id_; });
}

}  // namespace acmecpp
