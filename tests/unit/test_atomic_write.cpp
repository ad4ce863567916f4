// SPDX-License-Identifier: Apache-2.0
// core::write_file_atomically() and core::remove_stale_temp_files(): content, modes (of the
// file and of its temporary file while it is written), what is left beside the file, failures,
// symbolic links, concurrent writers.

#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "acmecpp/error.hpp"
#include "core/atomic_write.hpp"
#include "core/unique_fd.hpp"
#include "support/error_message.hpp"
#include "support/temp_dir.hpp"

using acmecpp::ErrorKind;
using acmecpp::core::AtomicWriteOptions;
using acmecpp::core::remove_stale_temp_files;
using acmecpp::core::TempFileName;
using acmecpp::core::write_file_atomically;
using acmecpp::testing::error_message_of;
using acmecpp::testing::read_text_file;
using acmecpp::testing::TempDir;
using acmecpp::testing::write_text_file;
namespace fs = std::filesystem;

namespace {

mode_t mode_of(const fs::path& file) {
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

ino_t inode_of(const fs::path& file) {
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  return info.st_ino;
}

std::set<std::string> entries(const fs::path& directory) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

// The process's umask for one scope.
class UmaskScope {
 public:
  explicit UmaskScope(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskScope() { ::umask(old_); }
  UmaskScope(const UmaskScope&) = delete;
  UmaskScope& operator=(const UmaskScope&) = delete;

 private:
  mode_t old_;
};

// A soft limit on the size of files this process writes (RLIMIT_FSIZE), with SIGXFSZ ignored
// so that a write past it fails with EFBIG instead of killing the test. Applies to root too.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) : old_signal_(::signal(SIGXFSZ, SIG_IGN)) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_) == 0);
    rlimit limited = old_;
    limited.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_signal_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  sighandler_t old_signal_;
};

// The modes a temporary file in `directory` was seen with while it existed: the first file
// created there is stat()ed until it is gone.
class TempModeWatch {
 public:
  explicit TempModeWatch(const fs::path& directory)
      : directory_(directory), fd_(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
    REQUIRE(fd_);
    REQUIRE(::inotify_add_watch(fd_.get(), directory.c_str(), IN_CREATE) >= 0);
    thread_ = std::thread([this] { watch(); });
  }
  ~TempModeWatch() {
    if (thread_.joinable()) thread_.join();
  }
  TempModeWatch(const TempModeWatch&) = delete;
  TempModeWatch& operator=(const TempModeWatch&) = delete;

  /// Waits for the watch to end; the modes seen while the file had content.
  std::vector<mode_t> modes_with_content() {
    thread_.join();
    return modes_;
  }

 private:
  void watch() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd ready{fd_.get(), POLLIN, 0};
      ::poll(&ready, 1, 100);
      alignas(inotify_event) char buffer[4096];
      const ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
      if (n <= 0) continue;
      const auto* event = reinterpret_cast<const inotify_event*>(buffer);
      if (event->len > 0) return follow(directory_ / event->name);
    }
  }

  void follow(const fs::path& file) {
    struct stat info {};
    while (::stat(file.c_str(), &info) == 0) {
      if (info.st_size > 0) modes_.push_back(info.st_mode & 07777);
    }
  }

  fs::path directory_;
  acmecpp::core::UniqueFd fd_;
  std::vector<mode_t> modes_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("atomic write creates the file with the given mode and replaces it by rename") {
  TempDir dir;
  const fs::path file = dir / "cert.pem";
  write_file_atomically(file.string(), "first");
  CHECK(read_text_file(file) == "first");
  CHECK(mode_of(file) == 0600);  // the default

  const ino_t before = inode_of(file);
  write_file_atomically(file.string(), "second, longer than the first", {0644});
  CHECK(read_text_file(file) == "second, longer than the first");
  CHECK(mode_of(file) == 0644);
  CHECK(inode_of(file) != before);  // a new file renamed over the old, not a rewrite

  write_file_atomically(file.string(), "");
  CHECK(read_text_file(file).empty());
  CHECK(mode_of(file) == 0600);  // a replaced 0644 file becomes 0600 when asked to
  CHECK(entries(dir.path()) == std::set<std::string>{"cert.pem"});  // no temporary file left
}

TEST_CASE("atomic write gives exactly the mode asked for, whatever the umask") {
  TempDir dir;
  const fs::path file = dir / "public.pem";
  {
    const UmaskScope strict(0077);
    write_file_atomically(file.string(), "x", {0644});
  }
  CHECK(mode_of(file) == 0644);
  {
    const UmaskScope open(0);
    write_file_atomically(file.string(), "y", {0640});
  }
  CHECK(mode_of(file) == 0640);
}

TEST_CASE("the file has its final mode from its first byte on, a key never more than 0600") {
  TempDir dir;
  const UmaskScope open(0);  // what an open(..., 0644) or a chmod after writing would show
  const std::string big(16 << 20, 'k');
  for (const mode_t mode : {mode_t(0600), mode_t(0644)}) {
    CAPTURE(mode);
    std::vector<mode_t> seen;
    // The watch may wake too late to see the file with content; a few tries make that unlikely.
    for (int attempt = 0; attempt < 20 && seen.empty(); ++attempt) {
      TempModeWatch watch(dir.path());
      write_file_atomically((dir / "key.pem").string(), big, {mode});
      seen = watch.modes_with_content();
    }
    REQUIRE_FALSE(seen.empty());
    CHECK(std::set<mode_t>(seen.begin(), seen.end()) == std::set<mode_t>{mode});
  }
}

TEST_CASE("atomic write names its temporary file by the style asked for") {
  TempDir dir;
  const fs::path file = dir / "acme.json";
  for (const auto& [style, prefix] : {std::pair{TempFileName::hidden, ".acme.json.tmp-"},
                                      std::pair{TempFileName::suffixed, "acme.json.tmp-"}}) {
    CAPTURE(prefix);
    acmecpp::core::UniqueFd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    REQUIRE(::inotify_add_watch(inotify.get(), dir.path().c_str(), IN_CREATE) >= 0);
    write_file_atomically(file.string(), "x", {0600, style});
    alignas(inotify_event) char buffer[4096];
    REQUIRE(::read(inotify.get(), buffer, sizeof buffer) > 0);
    const std::string created = reinterpret_cast<const inotify_event*>(buffer)->name;
    CHECK(created.rfind(prefix, 0) == 0);
    CHECK(created.size() == std::string(prefix).size() + 6);
    CHECK(entries(dir.path()) == std::set<std::string>{"acme.json"});
  }
}

TEST_CASE("atomic write without fsync still replaces the content") {
  TempDir dir;
  const fs::path file = dir / "cache.json";
  write_text_file(file, "old");
  write_file_atomically(file.string(), "new", {0644, TempFileName::hidden, /*durable=*/false});
  CHECK(read_text_file(file) == "new");
  CHECK(mode_of(file) == 0644);
  CHECK(entries(dir.path()) == std::set<std::string>{"cache.json"});
}

TEST_CASE("atomic write into a missing directory throws storage naming the file") {
  TempDir dir;
  const fs::path file = dir / "missing" / "acme.json";
  const std::string message =
      error_message_of(ErrorKind::storage, [&] { write_file_atomically(file.string(), "x"); });
  CHECK(message ==
        "cannot create temporary file beside " + file.string() + ": No such file or directory");
}

TEST_CASE("a write that fails halfway keeps the old content and removes the temporary file") {
  TempDir dir;
  const fs::path file = dir / "privkey.pem";
  write_text_file(file, "old key");
  std::string message;
  {
    const FileSizeLimit limit(1024);
    message = error_message_of(ErrorKind::storage, [&] {
      write_file_atomically(file.string(), std::string(4096, 'n'), {0600});
    });
  }
  CHECK(message.rfind("cannot write " + (dir / ".privkey.pem.tmp-").string(), 0) == 0);
  CHECK(message.find("File too large") != std::string::npos);
  CHECK(read_text_file(file) == "old key");
  CHECK(entries(dir.path()) == std::set<std::string>{"privkey.pem"});
}

TEST_CASE("a rename that fails keeps what is there and removes the temporary file") {
  TempDir dir;
  const fs::path target = dir / "chain.pem";
  fs::create_directory(target);  // a non-empty directory cannot be renamed over
  write_text_file(target / "inside", "kept");
  const std::string message = error_message_of(
      ErrorKind::storage, [&] { write_file_atomically(target.string(), "x", {0644}); });
  CHECK(message.rfind("cannot rename temporary file over " + target.string() + ": ", 0) == 0);
  CHECK(read_text_file(target / "inside") == "kept");
  CHECK(entries(dir.path()) == std::set<std::string>{"chain.pem"});
}

TEST_CASE("atomic write replaces a symbolic link by the file and leaves the link's target") {
  TempDir dir;
  const fs::path target = dir / "elsewhere.pem";
  const fs::path link = dir / "cert.pem";
  write_text_file(target, "target's own");
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  write_file_atomically(link.string(), "new", {0644});
  CHECK(fs::is_regular_file(fs::symlink_status(link)));
  CHECK(read_text_file(link) == "new");
  CHECK(read_text_file(target) == "target's own");
}

TEST_CASE("atomic write of a file name without directory writes in the working directory") {
  TempDir dir;
  const fs::path before = fs::current_path();
  fs::current_path(dir.path());
  write_file_atomically("plain.txt", "here", {0644});
  fs::current_path(before);
  CHECK(read_text_file(dir / "plain.txt") == "here");
  CHECK(entries(dir.path()) == std::set<std::string>{"plain.txt"});
}

TEST_CASE("concurrent atomic writers need no lock: the last rename wins, nothing is left") {
  TempDir dir;
  const fs::path file = dir / "fullchain.pem";
  const std::string a(200000, 'a');
  const std::string b(100000, 'b');
  const AtomicWriteOptions options{0644, TempFileName::hidden, /*durable=*/false};
  std::thread other([&] {
    for (int i = 0; i < 50; ++i) write_file_atomically(file.string(), a, options);
  });
  for (int i = 0; i < 50; ++i) write_file_atomically(file.string(), b, options);
  other.join();
  const std::string content = read_text_file(file);
  CHECK((content == a || content == b));
  CHECK(entries(dir.path()) == std::set<std::string>{"fullchain.pem"});
}

TEST_CASE("stale temporary files of one file and style are removed, nothing else") {
  TempDir dir;
  const fs::path file = dir / "acme.json";
  for (const char* name : {"acme.json", "acme.json.tmp-AbC123", ".acme.json.tmp-AbC123",
                           "acme.json.tmp-keep", "other.json.tmp-AbC123"}) {
    write_text_file(dir / name, name);
  }
  remove_stale_temp_files(file.string(), TempFileName::suffixed);
  CHECK(entries(dir.path()) == std::set<std::string>{"acme.json", ".acme.json.tmp-AbC123",
                                                     "acme.json.tmp-keep",
                                                     "other.json.tmp-AbC123"});
  remove_stale_temp_files(file.string(), TempFileName::hidden);
  CHECK(entries(dir.path()) ==
        std::set<std::string>{"acme.json", "acme.json.tmp-keep", "other.json.tmp-AbC123"});
  remove_stale_temp_files((dir / "missing" / "acme.json").string(), TempFileName::hidden);
}
