// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a batched pass (MaintainOptions::batch: acmectl renew, issue --batch) keeps back until
// the store has been written: the name locks of the certificates it changed, so that no other
// process orders those names again before it can see the new certificates, and the
// certificates' events (an exec hook may read the store, so it must run after it was written).
// The store is written once at the end and, in a long batch, at checkpoints every `interval`,
// so that a crash or a CA that stops answering loses at most that much work.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "acmecpp/store.hpp"
#include "manager/logger.hpp"

namespace acmecpp::manager {

class BatchCompletion {
 public:
  BatchCompletion(Store& store, Logger log,
                  std::chrono::seconds interval = std::chrono::seconds(30));

  /// Thread-safe, as the batch's workers call them.
  void keep(std::unique_ptr<NameLock> lock);
  /// Runs `event` once the store was written; it must not throw.
  void defer(std::function<void()> event);

  /// Called by a worker after each certificate: when `interval` has passed since the last write,
  /// writes the store and finishes what was kept until then. A failed write is logged and left
  /// to the next checkpoint or to finish(); never throws.
  void checkpoint() noexcept;

  /// Writes the store, then releases the locks and runs the deferred events in the order they
  /// were deferred. Throws Error(storage) when the store cannot be written (the locks are then
  /// released when this object goes, and the events are dropped: nothing was stored).
  void finish();

 private:
  void write_and_finish();

  Store& store_;
  Logger log_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_write_;
  std::vector<std::unique_ptr<NameLock>> locks_;
  std::vector<std::function<void()>> events_;
};

}  // namespace acmecpp::manager
