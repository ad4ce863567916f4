// SPDX-License-Identifier: Apache-2.0
#include "store/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "acmecpp/error.hpp"
#include "core/duration_text.hpp"
#include "core/system_error.hpp"

namespace acmecpp::store {

using core::storage_error_from_errno;

namespace {

bool no_writer_can_exist(int open_errno) {
  return open_errno == ENOENT || open_errno == EROFS;
}

// Opens (creating it 0600) the lock file. O_NONBLOCK: a FIFO at the path must not block the
// open; whatever was opened must then be a regular file (checked on the descriptor, not the
// path). An invalid descriptor with errno set when the open itself failed.
core::UniqueFd open_lock_file(const std::string& lock_path) {
  core::UniqueFd fd(
      ::open(lock_path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0600));
  if (!fd) return fd;
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) throw storage_error_from_errno("cannot stat", lock_path);
  if (!S_ISREG(info.st_mode)) {
    throw Error(ErrorKind::storage, "lock file " + lock_path + " is not a regular file");
  }
  return fd;
}

}  // namespace

std::optional<long> flock_holder(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return std::nullopt;
  // "1: FLOCK  ADVISORY  WRITE 29124 fe:00:10953007 0 EOF" (device in hex); a waiter's line
  // reads "1: -> FLOCK ..." and is skipped.
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream fields(line);
    std::string id, type, kind, access, file;
    long pid = 0;
    if (!(fields >> id >> type >> kind >> access >> pid >> file) || type != "FLOCK") continue;
    unsigned device_major = 0, device_minor = 0;
    unsigned long long inode = 0;
    if (std::sscanf(file.c_str(), "%x:%x:%llu", &device_major, &device_minor, &inode) != 3) {
      continue;
    }
    if (device_major == major(info.st_dev) && device_minor == minor(info.st_dev) &&
        inode == info.st_ino && pid > 0) {
      return pid;
    }
  }
  return std::nullopt;
}

FileLock::FileLock(const std::string& lock_path, Mode mode, const AcmeJsonStoreOptions& waiting) {
  // O_RDONLY is enough for flock, and lets a reader lock a lock file it may not write.
  fd_ = open_lock_file(lock_path);
  if (!fd_) {
    if (mode == Mode::shared && no_writer_can_exist(errno)) return;
    throw storage_error_from_errno("cannot open lock file", lock_path);
  }
  const int operation = (mode == Mode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  const auto deadline = std::chrono::steady_clock::now() + waiting.lock_timeout;
  std::optional<long> holder;
  for (bool told = false;; told = true) {
    if (::flock(fd_.get(), operation) == 0) return;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      throw storage_error_from_errno("cannot lock", lock_path);
    }
    if (!told) {
      holder = flock_holder(fd_.get());
      if (waiting.on_lock_wait) {
        waiting.on_lock_wait(StoreLockWait{lock_path, holder, waiting.lock_timeout});
      }
    }
    waiting.stop.throw_if_stopped("waiting for the lock of " + lock_path);
    if (std::chrono::steady_clock::now() >= deadline) {
      const std::string by = holder ? " by process " + std::to_string(*holder) : std::string();
      throw Error(ErrorKind::busy, "the lock of " + lock_path + " was held" + by +
                                       " for longer than " +
                                       core::duration_text(waiting.lock_timeout));
    }
    waiting.stop.wait_for(std::chrono::milliseconds(50));
  }
}

std::optional<FileLock> FileLock::try_exclusive(const std::string& lock_path,
                                                std::chrono::milliseconds timeout) {
  core::UniqueFd fd = open_lock_file(lock_path);
  if (!fd) throw storage_error_from_errno("cannot open lock file", lock_path);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return FileLock(std::move(fd));
    if (errno != EWOULDBLOCK && errno != EINTR)
      throw storage_error_from_errno("cannot lock", lock_path);
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace acmecpp::store
