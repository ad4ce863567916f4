// Directories: present() creates <root>/.well-known/acme-challenge/ (mode 0755) when missing,
// and cleanup() never removes directories, whether this solver created them or not. An empty
// acme-challenge directory is harmless, while removing it could race with a concurrent
// present() (of this or another ACME client sharing the webroot) between its mkdir and its
// file write, and could delete something the site owner made on purpose.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"
#include "challenge/http01/token_check.hpp"

namespace acmecpp {

namespace fs = std::filesystem;

namespace {

constexpr mode_t kDirectoryMode = 0755;  // the web server (another user) must traverse it
constexpr mode_t kFileMode = 0644;       // ... and read the file

[[noreturn]] void throw_system_error(const std::string& what, const fs::path& path, int error) {
  throw ChallengeError(what + " " + path.string() + ": " + std::generic_category().message(error));
}

fs::path challenge_directory(const std::string& root) {
  return fs::path(root) / ".well-known" / "acme-challenge";
}

void require_directory(const fs::path& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) throw_system_error("cannot use webroot", path, errno);
  if (!S_ISDIR(info.st_mode)) {
    throw ChallengeError("cannot use webroot " + path.string() + ": not a directory");
  }
}

/// mkdir with exactly 0755 (whatever the umask); an existing directory is left as it is.
void ensure_directory(const fs::path& path) {
  if (mkdir(path.c_str(), kDirectoryMode) == 0) {
    if (chmod(path.c_str(), kDirectoryMode) != 0) {
      throw_system_error("cannot set permissions of", path, errno);
    }
    return;
  }
  if (errno != EEXIST) throw_system_error("cannot create directory", path, errno);
  require_directory(path);
}

/// Owns a temporary file until it is renamed into place; removes it otherwise.
class TemporaryFile {
 public:
  explicit TemporaryFile(const fs::path& directory, const std::string& stem) {
    std::string pattern = (directory / ("." + stem + ".XXXXXX")).string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    fd_ = mkstemp(buffer.data());
    if (fd_ < 0) throw_system_error("cannot create a temporary file in", directory, errno);
    path_ = buffer.data();
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (fd_ >= 0) close(fd_);
    if (!path_.empty()) unlink(path_.c_str());
  }

  void write_all(const std::string& content) {
    if (fchmod(fd_, kFileMode) != 0) throw_system_error("cannot set permissions of", path_, errno);
    std::size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd_, content.data() + written, content.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_system_error("cannot write", path_, errno);
      written += static_cast<std::size_t>(n);
    }
    const int fd = std::exchange(fd_, -1);
    if (close(fd) != 0) throw_system_error("cannot write", path_, errno);
  }

  /// Atomically replaces `target`: a web server never sees a half-written file.
  void rename_to(const fs::path& target) {
    if (rename(path_.c_str(), target.c_str()) != 0) {
      throw_system_error("cannot create", target, errno);
    }
    path_.clear();
  }

 private:
  int fd_ = -1;
  fs::path path_;
};

}  // namespace

Http01WebrootSolver::Http01WebrootSolver(std::string root) : root_(std::move(root)) {}

void Http01WebrootSolver::present(const ChallengeTask& task) {
  http01::require_valid_token(task.token);
  require_directory(root_);
  const fs::path directory = challenge_directory(root_);
  ensure_directory(directory.parent_path());
  ensure_directory(directory);

  TemporaryFile file(directory, task.token);
  file.write_all(task.key_authorization);
  file.rename_to(directory / task.token);
}

void Http01WebrootSolver::cleanup(const ChallengeTask& task) noexcept {
  // An invalid token was refused by present(), so there is nothing of ours to remove; and it
  // must never be joined into a path we unlink.
  if (!is_valid_challenge_token(task.token)) return;
  try {
    unlink((challenge_directory(root_) / task.token).c_str());
  } catch (...) {
    // Building the path ran out of memory: nothing sensible left to do in a noexcept cleanup.
  }
}

}  // namespace acmecpp
