#include "store/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "core/system_error.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::store {

using core::storage_error_from_errno;

namespace {

constexpr std::string_view kTempSuffixTemplate = "XXXXXX";

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};
struct MallocFree {
  void operator()(char* memory) const { std::free(memory); }
};

struct SplitPath {
  std::string directory;  // "." when the path has no slash
  std::string file_name;
};

SplitPath split(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// Where the content must go: through a symbolic link to its target, so that a user's link
// (e.g. into a mounted volume) is not replaced by a regular file.
std::string resolve_target(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return path;
  std::unique_ptr<char, MallocFree> resolved(::realpath(path.c_str(), nullptr));
  return resolved ? std::string(resolved.get()) : path;
}

bool is_stale_temp_file(std::string_view entry, std::string_view prefix) {
  return entry.size() == prefix.size() + kTempSuffixTemplate.size() &&
         entry.substr(0, prefix.size()) == prefix;
}

// Removes what writers killed between creating and renaming their temporary file left behind.
// Best effort: a leftover that cannot be removed does not stop this write.
void remove_stale_temp_files(const SplitPath& target) {
  std::unique_ptr<DIR, DirCloser> dir(::opendir(target.directory.c_str()));
  if (!dir) return;
  const std::string prefix = temp_file_prefix(target.file_name);
  while (const dirent* entry = ::readdir(dir.get())) {
    if (is_stale_temp_file(entry->d_name, prefix)) {
      ::unlinkat(::dirfd(dir.get()), entry->d_name, 0);
    }
  }
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
  explicit TempFile(const SplitPath& target)
      : path_(target.directory + "/" + temp_file_prefix(target.file_name) +
              std::string(kTempSuffixTemplate)) {
    // mkostemp opens with O_CREAT|O_EXCL and mode 0600.
    fd_.reset(::mkostemp(path_.data(), O_CLOEXEC));
    if (!fd_) throw storage_error_from_errno("cannot create temporary file in", target.directory);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!renamed_) ::unlink(path_.c_str());
  }

  void write_and_sync(std::string_view content) {
    write_all(fd_.get(), content, path_);
    if (::fsync(fd_.get()) != 0) throw storage_error_from_errno("cannot fsync", path_);
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
  core::UniqueFd fd_;
  bool renamed_ = false;
};

// Makes the rename itself durable: without this a power loss may bring back the old entry.
void sync_directory(const std::string& directory) {
  core::UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw storage_error_from_errno("cannot open directory", directory);
  if (::fsync(fd.get()) != 0) throw storage_error_from_errno("cannot fsync directory", directory);
}

}  // namespace

std::string temp_file_prefix(const std::string& file_name) {
  return file_name + ".tmp-";
}

void replace_file_atomically(const std::string& path, std::string_view content) {
  const std::string target_path = resolve_target(path);
  const SplitPath target = split(target_path);
  remove_stale_temp_files(target);
  TempFile temp(target);
  temp.write_and_sync(content);
  temp.rename_over(target_path);
  sync_directory(target.directory);
}

}  // namespace acmecpp::store
