// SPDX-License-Identifier: Apache-2.0
// The background thread of CertManager: a pass at once, then one after the wait the pass asked
// for; wake() and stop() cut the wait short; exceptions never end the thread.

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "acmecpp/error.hpp"
#include "manager/background_worker.hpp"

using namespace acmecpp;
using namespace acmecpp::manager;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

/// Counts passes and lets the test wait for the n-th.
struct PassCounter {
  std::mutex mutex;
  std::condition_variable changed;
  int passes = 0;

  void count() {
    std::lock_guard<std::mutex> lock(mutex);
    ++passes;
    changed.notify_all();
  }
  bool wait_for(int n, std::chrono::milliseconds timeout = seconds(10)) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return passes >= n; });
  }
  int value() {
    std::lock_guard<std::mutex> lock(mutex);
    return passes;
  }
};

Logger quiet() {
  return Logger(null_log_sink());
}

/// A worker, not yet started, whose every pass is counted and asks for `between` until the next.
struct CountingWorker {
  PassCounter counter;               // declared first: outlives the worker's thread
  milliseconds between = hours(12);  // set it before start()
  BackgroundWorker worker{[this](const std::atomic<bool>&) {
                            counter.count();
                            return between;
                          },
                          quiet()};
};

}  // namespace

TEST_CASE_FIXTURE(CountingWorker,
                  "worker: a pass at start, the next after the wait the pass returned") {
  between = milliseconds(50);
  worker.start();
  CHECK(worker.running());
  CHECK(counter.wait_for(1));
  CHECK(counter.wait_for(4));
  worker.stop();
  CHECK_FALSE(worker.running());
}

TEST_CASE_FIXTURE(CountingWorker,
                  "worker: stop() interrupts a long wait at once, stop() twice is harmless") {
  worker.start();
  REQUIRE(counter.wait_for(1));
  const auto before = std::chrono::steady_clock::now();
  worker.stop();
  CHECK(std::chrono::steady_clock::now() - before < seconds(2));
  worker.stop();
  CHECK(counter.value() == 1);
}

TEST_CASE_FIXTURE(CountingWorker, "worker: wake() starts the next pass now") {
  worker.start();
  REQUIRE(counter.wait_for(1));
  worker.wake();
  CHECK(counter.wait_for(2, seconds(5)));
}

TEST_CASE("worker: a pass that throws is logged and the thread goes on after the failure wait") {
  PassCounter counter;
  std::mutex log_mutex;
  std::string logged;
  BackgroundWorker worker(
      [&](const std::atomic<bool>&) -> milliseconds {
        counter.count();
        throw Error(ErrorKind::storage, "store unreadable");
      },
      Logger([&](LogLevel level, std::string_view line) {
        std::lock_guard<std::mutex> lock(log_mutex);
        if (level == LogLevel::error) logged = std::string(line);
      }),
      milliseconds(20));
  worker.start();
  CHECK(counter.wait_for(3));
  worker.stop();
  std::lock_guard<std::mutex> lock(log_mutex);
  CHECK(logged.find("store unreadable") != std::string::npos);
}

TEST_CASE_FIXTURE(
    CountingWorker,
    "worker: start() while running throws Error(config), start() after stop() works") {
  worker.start();
  try {
    worker.start();
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::config);
  }
  REQUIRE(counter.wait_for(1));
  worker.stop();
  worker.start();
  CHECK(counter.wait_for(2));
}

TEST_CASE("worker: stop() lets the pass under way finish, and the pass sees the request") {
  std::atomic<bool> in_pass{false}, saw_stop{false}, finished{false};
  BackgroundWorker worker(
      [&](const std::atomic<bool>& stop_requested) {
        in_pass = true;
        const auto deadline = std::chrono::steady_clock::now() + seconds(10);
        while (!stop_requested && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(milliseconds(5));
        }
        saw_stop = stop_requested.load();
        finished = true;
        return hours(1);
      },
      quiet());
  worker.start();
  while (!in_pass) std::this_thread::sleep_for(milliseconds(1));
  worker.stop();
  CHECK(finished);
  CHECK(saw_stop);
}
