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

std::string read_all(int fd, std::size_t size_hint, const std::string& path) {
  std::string content;
  content.resize(size_hint);
  std::size_t filled = 0;
  for (;;) {
    if (filled == content.size()) content.resize(content.size() + 4096);
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
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
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
  if (stamp != nullptr) *stamp = stamp_of(info);
  return read_all(fd.get(), std::size_t(info.st_size), path);
}

}  // namespace acmecpp::store
