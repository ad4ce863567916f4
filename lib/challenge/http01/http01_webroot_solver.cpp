// SPDX-License-Identifier: Apache-2.0
// Directories: present() creates <root>/.well-known/acme-challenge/ (mode 0755) when missing,
// and cleanup() never removes directories, whether this solver created them or not. An empty
// acme-challenge directory is harmless, while removing it could race with a concurrent
// present() (of this or another ACME client sharing the webroot) between its mkdir and its
// file write, and could delete something the site owner made on purpose.

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"
#include "challenge/http01/token_check.hpp"
#include "core/atomic_write.hpp"

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

/// Replaces the token file atomically, so that a web server never serves a half-written one.
/// Not durable: a token lives for seconds, and after a machine crash the order is retried
/// anyway, so the fsyncs would only slow present() down.
void write_token_file(const fs::path& file, const std::string& key_authorization) {
  try {
    core::write_file_atomically(file.string(), key_authorization,
                                {kFileMode, core::TempFileName::hidden, /*durable=*/false});
  } catch (const Error& error) {
    throw ChallengeError(error.what());  // what a solver's present() throws (solver.hpp)
  }
}

}  // namespace

Http01WebrootSolver::Http01WebrootSolver(std::string root) : root_(std::move(root)) {}

void Http01WebrootSolver::present(const ChallengeTask& task) {
  http01::require_valid_token(task.token);
  require_directory(root_);
  const fs::path directory = challenge_directory(root_);
  ensure_directory(directory.parent_path());
  ensure_directory(directory);

  write_token_file(directory / task.token, task.key_authorization);
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
