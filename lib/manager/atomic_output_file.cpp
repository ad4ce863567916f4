#include "manager/atomic_output_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>

#include "core/system_error.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::manager {
namespace {

using core::storage_error_from_errno;
using core::UniqueFd;

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string file_name_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void write_all(int fd, std::string_view content, const std::string& path) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw storage_error_from_errno("cannot write", path);
    }
    content.remove_prefix(std::size_t(n));
  }
}

/// Deleted again unless renamed into place.
class TempFile {
 public:
  explicit TempFile(const std::string& target)
      : path_(directory_of(target) + "/." + file_name_of(target) + ".tmp-XXXXXX") {
    fd_.reset(::mkostemp(path_.data(), O_CLOEXEC));
    if (!fd_) throw storage_error_from_errno("cannot create temporary file", path_);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!renamed_) ::unlink(path_.c_str());
  }

  void write(std::string_view content, mode_t mode) {
    // fchmod, not umask: the mode must not depend on the embedding process's umask.
    if (::fchmod(fd_.get(), mode) != 0) throw storage_error_from_errno("cannot chmod", path_);
    write_all(fd_.get(), content, path_);
    if (::fsync(fd_.get()) != 0) throw storage_error_from_errno("cannot fsync", path_);
    if (::close(fd_.release()) != 0) throw storage_error_from_errno("cannot close", path_);
  }

  void rename_over(const std::string& target) {
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      throw storage_error_from_errno("cannot rename temporary file over", target);
    }
    renamed_ = true;
  }

 private:
  std::string path_;
  UniqueFd fd_;
  bool renamed_ = false;
};

void sync_directory(const std::string& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw storage_error_from_errno("cannot open directory", directory);
  if (::fsync(fd.get()) != 0) throw storage_error_from_errno("cannot fsync directory", directory);
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view content, mode_t mode) {
  TempFile temp(path);
  temp.write(content, mode);
  temp.rename_over(path);
  sync_directory(directory_of(path));
}

}  // namespace acmecpp::manager
