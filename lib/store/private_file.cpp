// SPDX-License-Identifier: Apache-2.0
#include "store/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <sstream>

#include "acmecpp/error.hpp"
#include "core/system_error.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::store {

using core::storage_error_from_errno;

namespace {

// Traefik's CheckFile refuses any group/other bit (mode & 077), execute included.
constexpr mode_t kGroupOrOtherBits = 077;

void check_private(const struct stat& info, const std::string& path) {
  if (!S_ISREG(info.st_mode)) {
    throw Error(ErrorKind::storage, path + " is not a regular file");
  }
  const mode_t permissions = info.st_mode & 07777;
  if ((permissions & kGroupOrOtherBits) != 0) {
    // Go's %o: octal without a leading zero.
    std::ostringstream octal;
    octal << std::oct << permissions;
    throw Error(ErrorKind::storage,
                "permissions " + octal.str() + " for " + path + " are too open, please use 600");
  }
}

// Larger than any acme.json (10,000 certificates with RSA keys take about 75 MiB): reading and
// parsing take about twice the file's size in memory, so a huge file is refused before that.
constexpr off_t kMaxSize = off_t(256) << 20;

Error too_large(const std::string& path) {
  return Error(ErrorKind::storage, path + " is larger than " + std::to_string(kMaxSize >> 20) +
                                       " MiB, more than any acme.json holds");
}

std::string read_all(int fd, std::size_t size_hint, const std::string& path) {
  std::string content;
  // One byte more than the size, so that the read finding the end needs no larger buffer (a
  // reallocation would hold the content twice).
  content.resize(size_hint + 1);
  std::size_t filled = 0;
  for (;;) {
    if (filled == content.size()) {
      if (filled > std::size_t(kMaxSize)) throw too_large(path);  // it grew while being read
      content.resize(content.size() + 4096);
    }
    const ssize_t n = ::read(fd, content.data() + filled, content.size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw storage_error_from_errno("cannot read", path);
    }
    if (n == 0) break;
    filled += std::size_t(n);
  }
  content.resize(filled);
  return content;
}

bool same_time(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

FileStamp stamp_of(const struct stat& info) {
  FileStamp stamp;
  stamp.exists = true;
  stamp.device = info.st_dev;
  stamp.inode = info.st_ino;
  stamp.size = info.st_size;
  stamp.mode = info.st_mode;
  stamp.modified = info.st_mtim;
  stamp.changed = info.st_ctim;
  return stamp;
}

}  // namespace

bool FileStamp::operator==(const FileStamp& other) const {
  return exists == other.exists && device == other.device && inode == other.inode &&
         size == other.size && mode == other.mode && same_time(modified, other.modified) &&
         same_time(changed, other.changed);
}

FileStamp stamp_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return FileStamp{};
    throw storage_error_from_errno("cannot stat", path);
  }
  return stamp_of(info);
}

std::optional<std::string> read_private_file(const std::string& path, FileStamp* stamp) {
  // O_NONBLOCK: a FIFO (or a device) at the path must not block the open; fstat below refuses
  // anything but a regular file, checking what was opened, not what the path named before.
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd) {
    if (errno == ENOENT) {
      if (stamp != nullptr) *stamp = FileStamp{};
      return std::nullopt;
    }
    throw storage_error_from_errno("cannot open", path);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) throw storage_error_from_errno("cannot stat", path);
  check_private(info, path);
  if (info.st_size > kMaxSize) throw too_large(path);
  if (stamp != nullptr) *stamp = stamp_of(info);
  return read_all(fd.get(), std::size_t(info.st_size), path);
}

}  // namespace acmecpp::store
