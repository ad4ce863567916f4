// SPDX-License-Identifier: Apache-2.0
#pragma once
// An advisory lock (flock) held on a lock file for as long as the FileLock lives.

#include <chrono>
#include <optional>
#include <string>

#include "acmecpp/store.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::store {

/// The process holding a flock on the file open as `fd`, as /proc/locks tells it (the first
/// holder listed for the file's device and inode); nullopt when it is not listed or cannot be
/// read.
std::optional<long> flock_holder(int fd);

/// Locks `lock_path` (created with mode 0600 if missing), waiting as `waiting` says.
/// A separate lock file rather than the data file itself because the data file is replaced by
/// rename: a lock on the old inode would not exclude a process that opened the new one.
/// Each FileLock opens its own descriptor, so flock also serialises threads of one process.
class FileLock {
 public:
  enum class Mode { shared, exclusive };

  /// Throws Error(storage) when the lock file cannot be opened or is not a regular file (a FIFO
  /// there is refused without blocking). A shared lock is skipped when
  /// the lock file cannot exist (its directory is missing, or the file system is read-only):
  /// then no writer can exist either. When the lock is held elsewhere, waiting.on_lock_wait is
  /// told once, and the lock is tried every 50 ms until waiting.lock_timeout has passed
  /// (Error(busy)) or waiting.stop is requested (Error(cancelled)).
  FileLock(const std::string& lock_path, Mode mode, const AcmeJsonStoreOptions& waiting);

  /// An exclusive lock if it can be had within `timeout` (polled every 50 ms), else nullopt.
  static std::optional<FileLock> try_exclusive(const std::string& lock_path,
                                               std::chrono::milliseconds timeout);

  FileLock(FileLock&&) = default;
  FileLock& operator=(FileLock&&) = default;

 private:
  explicit FileLock(core::UniqueFd fd) : fd_(std::move(fd)) {}
  core::UniqueFd fd_;
};

}  // namespace acmecpp::store
