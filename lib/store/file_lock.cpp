#include "store/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <thread>

#include "acmecpp/error.hpp"
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

FileLock::FileLock(const std::string& lock_path, Mode mode) {
  // O_RDONLY is enough for flock, and lets a reader lock a lock file it may not write.
  fd_ = open_lock_file(lock_path);
  if (!fd_) {
    if (mode == Mode::shared && no_writer_can_exist(errno)) return;
    throw storage_error_from_errno("cannot open lock file", lock_path);
  }
  const int operation = mode == Mode::shared ? LOCK_SH : LOCK_EX;
  while (::flock(fd_.get(), operation) != 0) {
    if (errno != EINTR) throw storage_error_from_errno("cannot lock", lock_path);
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
