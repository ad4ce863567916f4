#pragma once
// What a batch of orders (issue --batch, renew) keeps back until the store has been written
// once for the whole batch: the name locks of the certificates it changed, so that no other
// process orders those names again before it can see the new certificates, and the deliveries
// (exports and deploy hooks), which may read acme.json and so must run after it was written.

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "acmecpp/store.hpp"

namespace acmectl {

class BatchCompletion {
 public:
  /// Thread-safe, as the batch's workers call them.
  void keep(std::unique_ptr<acmecpp::NameLock> lock);
  /// `delivery` returns false when a hook failed.
  void defer(std::function<bool()> delivery);

  /// Call after the store was written: releases the locks, then runs the deliveries in the
  /// order they were deferred. Returns false when any of them failed.
  bool finish();

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<acmecpp::NameLock>> locks_;
  std::vector<std::function<bool()>> deliveries_;
};

}  // namespace acmectl
