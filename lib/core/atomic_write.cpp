// SPDX-License-Identifier: Apache-2.0
#include "core/atomic_write.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>

#include "core/c_handle.hpp"
#include "core/system_error.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::core {
namespace {

constexpr std::string_view kRandomPart = "XXXXXX";  // mkostemp's template

struct SplitPath {
  std::string directory;  // "." when the path has no slash
  std::string file_name;
};

SplitPath split(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

std::string temp_file_prefix(const std::string& file_name, TempFileName style) {
  return (style == TempFileName::hidden ? "." : "") + file_name + ".tmp-";
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

// The temporary file, deleted again unless the rename over the target succeeded.
class TempFile {
 public:
  TempFile(const std::string& target, TempFileName style) {
    const SplitPath parts = split(target);
    path_ =
        parts.directory + "/" + temp_file_prefix(parts.file_name, style) + std::string(kRandomPart);
    // mkostemp opens with O_CREAT|O_EXCL and mode 0600: never readable by others, not even
    // before the fchmod below.
    fd_.reset(::mkostemp(path_.data(), O_CLOEXEC));
    if (!fd_) throw storage_error_from_errno("cannot create temporary file beside", target);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!renamed_) ::unlink(path_.c_str());
  }

  void write(std::string_view content, const AtomicWriteOptions& options) {
    // fchmod, not the creation mode: that one is masked by the embedding process's umask.
    if (::fchmod(fd_.get(), options.mode) != 0) {
      throw storage_error_from_errno("cannot chmod", path_);
    }
    write_all(fd_.get(), content, path_);
    if (options.durable && ::fsync(fd_.get()) != 0) {
      throw storage_error_from_errno("cannot fsync", path_);
    }
    // close() can report a deferred write error (e.g. on NFS), so its result is checked.
    if (::close(fd_.release()) != 0) throw storage_error_from_errno("cannot close", path_);
  }

  void rename_over(const std::string& target) {
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      // A file bind-mounted on its own (docker -v ./acme.json:/acme.json) cannot be replaced.
      const bool busy = errno == EBUSY;
      Error error = storage_error_from_errno("cannot rename temporary file over", target);
      if (!busy) throw error;
      throw Error(ErrorKind::storage, std::string(error.what()) +
                                          " (a bind-mounted file cannot be replaced; mount its "
                                          "directory instead)");
    }
    renamed_ = true;
  }

 private:
  std::string path_;
  UniqueFd fd_;
  bool renamed_ = false;
};

// Makes the rename itself durable: without this a power loss may bring back the old entry.
void sync_directory(const std::string& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw storage_error_from_errno("cannot open directory", directory);
  if (::fsync(fd.get()) != 0) throw storage_error_from_errno("cannot fsync directory", directory);
}

bool is_temp_file(std::string_view entry, std::string_view prefix) {
  return entry.size() == prefix.size() + kRandomPart.size() &&
         entry.substr(0, prefix.size()) == prefix;
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options) {
  TempFile temp(path, options.temp_name);
  temp.write(content, options);
  temp.rename_over(path);
  if (options.durable) sync_directory(split(path).directory);
}

void remove_stale_temp_files(const std::string& path, TempFileName style) {
  const SplitPath target = split(path);
  CHandle<DIR, ::closedir> dir(::opendir(target.directory.c_str()));
  if (!dir) return;
  const std::string prefix = temp_file_prefix(target.file_name, style);
  while (const dirent* entry = ::readdir(dir.get())) {
    if (is_temp_file(entry->d_name, prefix)) ::unlinkat(::dirfd(dir.get()), entry->d_name, 0);
  }
}

}  // namespace acmecpp::core
