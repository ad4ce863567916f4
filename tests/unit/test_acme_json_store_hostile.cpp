// SPDX-License-Identifier: Apache-2.0
// acme.json files nobody should have written (issue 14): text after the JSON value, numbers out
// of range, deep nesting, huge files, and paths that are not regular files (FIFO, directory,
// dangling symbolic link). Each is refused as Error(storage) naming the place, without blocking,
// and the file is never overwritten.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "store/fast_json_parse.hpp"
#include "support/error_message.hpp"
#include "support/store_test_files.hpp"

using acmecpp::AcmeJsonStore;
using acmecpp::ErrorKind;
using acmecpp::testing::error_message_of;
using store_test::contains;
using store_test::make_certificate;
using store_test::read_file;
using store_test::TempDir;
using store_test::write_file;
using namespace std::chrono_literals;

namespace {

/// The storage error opening a store on `content` gives, and checks that a write leaves the
/// file as it was.
std::string refusal_of(const std::string& content) {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  write_file(path, "{}");
  AcmeJsonStore opened_before(path);
  write_file(path, content);
  const std::string message =
      error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); });
  CHECK(error_message_of(ErrorKind::storage, [&] {
          opened_before.save_certificate("le", make_certificate("x.example.test"));
        }) == message);
  CHECK(read_file(path) == content);
  return message;
}

/// Runs `action` on another thread; if it has not returned within 10 s (blocked in open() on a
/// FIFO), opens the FIFO for writing so that it returns, and reports the hang.
template <typename Action>
bool returns_without_blocking(const std::string& fifo, Action action) {
  auto done = std::async(std::launch::async, action);
  if (done.wait_for(10s) == std::future_status::ready) return true;
  // Each blocked open returns once a writer opens the FIFO too; there may be several in turn.
  while (done.wait_for(100ms) != std::future_status::ready) {
    const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (writer >= 0) ::close(writer);
  }
  return false;
}

}  // namespace

TEST_CASE("a NUL byte after the JSON value is refused with its offset, not cut off") {
  const std::string content = std::string("{\"le\": null}") + '\0' + "{\"other\": {}}";
  REQUIRE(content.size() == 26);
  // The quick parser leaves such a text to nlohmann's, which stops at a NUL as at the end.
  CHECK_FALSE(acmecpp::store::parse_json_fast(content).has_value());
  const std::string message = refusal_of(content);
  CAPTURE(message);
  CHECK(contains(message, "is not valid JSON: at byte 13 (line 1, column 13)"));
  CHECK(contains(message, "a NUL byte after the JSON value"));

  // Inside the value too.
  const std::string inside = std::string("{\"le\": ") + '\0' + "null}";
  CHECK(contains(refusal_of(inside), "at byte 8 (line 1, column 8): a NUL byte"));
}

TEST_CASE("anything but whitespace after the JSON value is refused by both parsers") {
  for (const std::string trailing : {"x", "{}", "\x01", "]", ","}) {
    const std::string content = "{\"le\": null} \n" + trailing;
    CAPTURE(trailing);
    CHECK_FALSE(acmecpp::store::parse_json_fast(content).has_value());
    CHECK(contains(refusal_of(content), "at byte 15 (line 2, column 1)"));
  }
  // Whitespace is fine.
  TempDir dir;
  write_file(dir.file("acme.json"), "{\"le\": null} \n\t\r\n ");
  CHECK(AcmeJsonStore(dir.file("acme.json")).resolvers() == std::vector<std::string>{"le"});
}

TEST_CASE("a number out of range is a storage error naming where it is") {
  const std::string content = "{\n  \"le\": {\"Account\": null, \"x\": 1e999}\n}";
  const std::string message = refusal_of(content);
  CAPTURE(message);
  const auto at = content.find("1e999");
  CHECK(contains(message, "is not valid JSON: at byte " + std::to_string(at + 1) +
                              " (line 2, column 32): number out of range"));
  CHECK(contains(refusal_of("[-1e400]"), "at byte 2 (line 1, column 2): number out of range"));
}

TEST_CASE("nesting deeper than 512 levels is refused before it is parsed") {
  const std::string deep =
      "{\"le\": {\"x\": " + std::string(600, '[') + std::string(600, ']') + "}}";
  const std::string message = refusal_of(deep);
  CAPTURE(message);
  // The 511th '[' is the 513th level.
  CHECK(contains(message, "at byte " + std::to_string(13 + 511) + " (line 1, column "));
  CHECK(contains(message, "nested deeper than 512 levels"));
  // Brackets inside strings do not count (a byte-order mark sends the text past the quick
  // parser, to the nesting check and nlohmann's).
  TempDir dir;
  write_file(dir.file("acme.json"),
             "\xEF\xBB\xBF{\"le\": {\"x\": \"" + std::string(600, '[') + "\\\"\"}}");
  CHECK(AcmeJsonStore(dir.file("acme.json")).resolvers().size() == 1);
}

TEST_CASE("a file larger than 256 MiB is refused before it is read") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  write_file(path, "");
  // Sparse: no disk space, and never read.
  REQUIRE(::truncate(path.c_str(), (off_t(256) << 20) + 1) == 0);
  CHECK(error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); }) ==
        path + " is larger than 256 MiB, more than any acme.json holds");
}

TEST_CASE("acme.json that is a FIFO is refused without blocking") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  std::string message;
  CHECK(returns_without_blocking(path, [&] {
    message = error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); });
  }));
  CHECK(message == path + " is not a regular file");
}

TEST_CASE("a lock file that is a FIFO is refused without blocking") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  const std::string lock = path + ".lock";
  REQUIRE(::mkfifo(lock.c_str(), 0600) == 0);
  std::string message;
  CHECK(returns_without_blocking(lock, [&] {
    message = error_message_of(ErrorKind::storage, [&] {
      AcmeJsonStore store(path);
      store.save_certificate("le", make_certificate("x.example.test"));
    });
  }));
  CHECK(message == "lock file " + lock + " is not a regular file");
  CHECK(::access(path.c_str(), F_OK) != 0);
}

TEST_CASE("acme.json that is a directory is refused") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  REQUIRE(::mkdir(path.c_str(), 0700) == 0);
  CHECK(error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); }) ==
        path + " is not a regular file");
}

TEST_CASE("a dangling symbolic link is followed: the file is created where it points") {
  TempDir dir;
  REQUIRE(::mkdir(dir.file("volume").c_str(), 0700) == 0);
  const std::string link = dir.file("acme.json");
  // Relative, as `ln -s volume/acme.json acme.json` makes it.
  REQUIRE(::symlink("volume/acme.json", link.c_str()) == 0);
  AcmeJsonStore store(link);
  CHECK(store.resolvers().empty());
  store.save_certificate("le", make_certificate("a.example.test"));
  struct stat info {};
  REQUIRE(::lstat(link.c_str(), &info) == 0);
  CHECK(S_ISLNK(info.st_mode));
  CHECK(store_test::file_mode(dir.file("volume/acme.json")) == 0600);
  CHECK(store_test::read_json(dir.file("volume/acme.json"))["le"]["Certificates"].size() == 1);
  CHECK(AcmeJsonStore(link).certificates("le").size() == 1);

  SUBCASE("a link to a directory that does not exist is an error, and the link stays") {
    const std::string nowhere = dir.file("nowhere.json");
    REQUIRE(::symlink("missing/acme.json", nowhere.c_str()) == 0);
    CHECK(contains(error_message_of(ErrorKind::storage,
                                    [&] {
                                      AcmeJsonStore other(nowhere);
                                      other.save_certificate("le", make_certificate("b.test"));
                                    }),
                   "missing/acme.json"));
    REQUIRE(::lstat(nowhere.c_str(), &info) == 0);
    CHECK(S_ISLNK(info.st_mode));
  }
}
