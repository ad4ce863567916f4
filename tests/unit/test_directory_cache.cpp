// SPDX-License-Identifier: Apache-2.0
// The directory kept between processes: what is trusted, what is ignored, and that a cache never
// fails its user.

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

#include "acme/directory_cache.hpp"
#include "acmecpp/store.hpp"
#include "support/temp_dir.hpp"

using acmecpp::acme::DirectoryCache;
using acmecpp::testing::read_text_file;
using acmecpp::testing::TempDir;
using acmecpp::testing::write_text_file;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

const std::string kUrl = "https://127.0.0.1:14000/dir";
const auto kNow = std::chrono::system_clock::time_point(seconds(1'800'000'000));

nlohmann::json sample_directory() {
  return {{"newNonce", "https://127.0.0.1:14000/nonce-plz"},
          {"newAccount", "https://127.0.0.1:14000/sign-me-up"},
          {"newOrder", "https://127.0.0.1:14000/order-plz"}};
}

/// The cache area of an acme.json store, as CertManager connects it.
acmecpp::acme::ClientOptions::DirectoryCacheIo io_of(acmecpp::Store& store) {
  return {[&store] { return store.load_cached("directory.json"); },
          [&store](const std::string& text) { store.save_cached("directory.json", text); }};
}

}  // namespace

TEST_CASE("directory cache returns what was saved for the same URL while it is young") {
  TempDir dir;
  acmecpp::AcmeJsonStore store((dir / "acme.json").string());
  const DirectoryCache cache(io_of(store), hours(1));
  CHECK_FALSE(cache.load(kUrl, kNow).has_value());  // no file yet
  cache.save(kUrl, sample_directory(), kNow);
  CHECK(cache.load(kUrl, kNow + seconds(3599)) == sample_directory());
  CHECK_FALSE(cache.load(kUrl, kNow + seconds(3600)).has_value());          // too old
  CHECK_FALSE(cache.load(kUrl, kNow - seconds(10)).has_value());            // from the future
  CHECK_FALSE(cache.load(kUrl + "/other", kNow + seconds(1)).has_value());  // another server
  // Readable by others (nothing secret in it) and no temporary file left behind.
  struct stat info {};
  REQUIRE(::stat((dir / "acme.json.directory.json").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0644);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK(entry.path().filename().string().front() != '.');  // no temporary file left
  }
}

TEST_CASE("directory cache ignores files it cannot use and never throws") {
  TempDir dir;
  const auto path = dir / "acme.json.directory.json";
  acmecpp::AcmeJsonStore store((dir / "acme.json").string());
  const DirectoryCache cache(io_of(store), hours(1));
  for (const std::string text :
       {"", "{not json", "[]", R"({"directory_url": 5, "fetched_at": 1800000000, "directory": {}})",
        R"({"directory_url": "https://127.0.0.1:14000/dir", "fetched_at": "now",
            "directory": {}})",
        R"({"directory_url": "https://127.0.0.1:14000/dir", "fetched_at": 1800000000,
            "directory": "text"})"}) {
    write_text_file(path, text);
    CHECK_FALSE(cache.load(kUrl, kNow).has_value());
  }
  // A cache in a directory that does not exist is simply not written.
  acmecpp::AcmeJsonStore missing((dir / "missing" / "acme.json").string());
  const DirectoryCache nowhere(io_of(missing), hours(1));
  nowhere.save(kUrl, sample_directory(), kNow);
  CHECK_FALSE(nowhere.load(kUrl, kNow).has_value());
  // Functions that throw count as no cache, and none at all is no cache either.
  const DirectoryCache throwing(
      {[]() -> std::optional<std::string> { throw std::runtime_error("x"); },
       [](const std::string&) { throw std::runtime_error("y"); }},
      hours(1));
  throwing.save(kUrl, sample_directory(), kNow);
  CHECK_FALSE(throwing.load(kUrl, kNow).has_value());
  const DirectoryCache none({}, hours(1));
  none.save(kUrl, sample_directory(), kNow);
  CHECK_FALSE(none.load(kUrl, kNow).has_value());
  // Saving replaces an unusable file.
  cache.save(kUrl, sample_directory(), kNow);
  CHECK(cache.load(kUrl, kNow) == sample_directory());
  CHECK(read_text_file(path).find("\"directory_url\"") != std::string::npos);
}
