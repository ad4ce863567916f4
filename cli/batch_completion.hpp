#pragma once
// What a batch of orders (issue --batch, renew) keeps back until the store has been written:
// the name locks of the certificates it changed, so that no other process orders those names
// again before it can see the new certificates, and the deliveries (exports and deploy hooks),
// which may read acme.json and so must run after it was written. The store is written once at
// the end and, in a long batch, at checkpoints every `interval`, so that a crash or a CA that
// stops answering loses at most that much work.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "acmecpp/store.hpp"

namespace acmectl {

class BatchCompletion {
 public:
  /// `write_store` writes what the batch changed so far (AcmeJsonStore::flush_batch).
  explicit BatchCompletion(std::function<void()> write_store,
                           std::chrono::seconds interval = std::chrono::seconds(30));

  /// Thread-safe, as the batch's workers call them.
  void keep(std::unique_ptr<acmecpp::NameLock> lock);
  /// `delivery` returns false when a hook failed.
  void defer(std::function<bool()> delivery);

  /// Called by a worker after each certificate: when `interval` has passed since the last write,
  /// writes the store and finishes what was kept until then. A failed write is reported and
  /// left to the next checkpoint or to finish(); never throws.
  void checkpoint();

  /// Writes the store, then releases the locks and runs the deliveries in the order they were
  /// deferred. Returns false when any delivery (also one run at a checkpoint) failed. Throws
  /// when the store cannot be written (the locks are then released when this object goes).
  bool finish();

 private:
  void write_and_finish();

  std::function<void()> write_store_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_write_;
  std::vector<std::unique_ptr<acmecpp::NameLock>> locks_;
  std::vector<std::function<bool()>> deliveries_;
  bool deliveries_ok_ = true;
};

}  // namespace acmectl
