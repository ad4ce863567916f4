// SPDX-License-Identifier: Apache-2.0
// The file around acme.json: creation mode, refusing files that are too open or do not parse
// (and never overwriting them), damaged fields, temporary files and symbolic links.

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "support/error_message.hpp"
#include "support/store_test_files.hpp"

using acmecpp::AcmeJsonStore;
using acmecpp::ErrorKind;
using acmecpp::testing::error_message_of;
using store_test::contains;
using store_test::copy_fixture;
using store_test::file_mode;
using store_test::make_certificate;
using store_test::read_file;
using store_test::TempDir;
using store_test::write_file;

TEST_CASE("a new acme.json and its lock file are created with mode 0600, in Traefik's layout") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  // A usual umask: 0600 must come from the store, not from a restrictive umask.
  const mode_t old_umask = ::umask(022);
  AcmeJsonStore store(path);
  CHECK(store.path() == path);
  CHECK(store.resolvers().empty());
  CHECK(::access(path.c_str(), F_OK) != 0);  // opening does not create it

  store.save_certificate("le", make_certificate("a.example.test"));
  CHECK(file_mode(path) == 0600);
  CHECK(file_mode(path + ".lock") == 0600);
  ::umask(old_umask);
  const std::string content = read_file(path);
  CHECK(content.substr(0, 10) == "{\n  \"le\": ");
  CHECK(content.back() == '}');  // json.MarshalIndent writes no final newline
  CHECK(store.certificates("le").size() == 1);
}

TEST_CASE("a file group or others may access is refused with Traefik's message") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "traefik-rsa.acme.json");
  ::chmod(path.c_str(), 0644);
  CHECK(error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); }) ==
        "permissions 644 for " + path + " are too open, please use 600");
  ::chmod(path.c_str(), 0601);
  CHECK(error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); }) ==
        "permissions 601 for " + path + " are too open, please use 600");

  SUBCASE("also when it became too open after the store was opened") {
    ::chmod(path.c_str(), 0600);
    AcmeJsonStore store(path);
    ::chmod(path.c_str(), 0640);
    const std::string content = read_file(path);
    CHECK(contains(error_message_of(ErrorKind::storage,
                                    [&] { store.save_certificate("le", make_certificate("x")); }),
                   "permissions 640"));
    CHECK(contains(error_message_of(ErrorKind::storage, [&] { store.certificates("letsencrypt"); }),
                   "permissions 640"));
    CHECK(read_file(path) == content);
  }
}

TEST_CASE("0400 is private enough") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "ec-account.acme.json");
  ::chmod(path.c_str(), 0400);
  AcmeJsonStore store(path);
  CHECK(store.certificates("pebble").size() == 1);
}

TEST_CASE("a file that does not parse is refused with its position and never overwritten") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "traefik-rsa.acme.json");
  AcmeJsonStore store(path);
  // Cut inside the account's private key: the message must not quote it.
  const std::string original = read_file(path);
  const auto key_start = original.find("\"PrivateKey\": \"") + 15;
  const std::string truncated = original.substr(0, key_start + 40);
  write_file(path, truncated);

  const std::string message =
      error_message_of(ErrorKind::storage, [&] { AcmeJsonStore reopened(path); });
  CAPTURE(message);
  CHECK(contains(message, path + " is not valid JSON"));
  CHECK(contains(message, "byte " + std::to_string(truncated.size() + 1)));
  const auto line = 1 + std::count(truncated.begin(), truncated.end(), '\n');
  CHECK(contains(message, "(line " + std::to_string(line) + ", column "));
  CHECK(contains(message, "missing closing quote"));
  CHECK_FALSE(contains(message, original.substr(key_start, 20)));

  error_message_of(ErrorKind::storage,
                   [&] { store.save_certificate("letsencrypt", make_certificate("x")); });
  error_message_of(ErrorKind::storage,
                   [&] { store.save_account("letsencrypt", acmecpp::AccountRecord{}); });
  error_message_of(ErrorKind::storage,
                   [&] { store.remove_certificate("letsencrypt", "a.example.test"); });
  error_message_of(ErrorKind::storage, [&] { store.resolvers(); });
  CHECK(read_file(path) == truncated);
}

TEST_CASE("the position of a syntax error is given as line and column") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  write_file(path, "{\n  \"le\": {\n    \"Account\": null,,\n  }\n}");
  const std::string message =
      error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); });
  CHECK(contains(message, "at byte 33 (line 3, column 21)"));
}

TEST_CASE("an empty file is an empty store, a blank one is not JSON") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  write_file(path, "");
  AcmeJsonStore store(path);
  CHECK(store.resolvers().empty());
  store.save_certificate("le", make_certificate("a.example.test"));
  CHECK(store.certificates("le").size() == 1);

  write_file(path, " \n");
  CHECK(contains(error_message_of(ErrorKind::storage, [&] { AcmeJsonStore reopened(path); }),
                 "line 2, column 1"));
}

TEST_CASE("a file that is JSON but not acme.json is refused") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  write_file(path, "[]");
  CHECK(contains(error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); }),
                 "the top level must be an object of resolvers"));
  write_file(path, R"({"le": {"Certificates": "none"}})");
  CHECK(error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); }) ==
        path + ": resolver \"le\": field \"Certificates\" must be an array or null");
  write_file(path, R"({"le": {"Certificates": [{}, 3]}})");
  CHECK(error_message_of(ErrorKind::storage, [&] { AcmeJsonStore store(path); }) ==
        path + ": resolver \"le\", Certificates[1]: must be an object");
  write_file(path, "null");
  CHECK(AcmeJsonStore(path).resolvers().empty());
}

TEST_CASE("a field that is not base64 is named with its resolver and entry, not quoted") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  write_file(path, R"({"le": {"Account": {"Email": "a@example.test", "PrivateKey": "c2VjcmV0*yes"},
    "Certificates": [{"domain": {"main": "ok.example.test"}, "certificate": "eA==", "key": "eQ=="},
                     {"domain": {"main": "bad.example.test"}, "certificate": "eA==",
                      "key": "LS0tLS1CRUdJTi!secret"}]}})");
  AcmeJsonStore store(path);
  const std::string certificate_error =
      error_message_of(ErrorKind::storage, [&] { store.certificates("le"); });
  CHECK(certificate_error ==
        path +
            ": resolver \"le\", Certificates[1] (bad.example.test): field "
            "\"key\" is not valid base64: invalid base64 character at offset 14");
  const std::string account_error =
      error_message_of(ErrorKind::storage, [&] { store.load_account("le"); });
  CHECK(contains(account_error,
                 "resolver \"le\", Account: field \"PrivateKey\" is not valid base64"));
  CHECK_FALSE(contains(account_error, "c2VjcmV0"));

  // The damaged entry is kept as it is when another certificate is saved.
  store.save_certificate("le", make_certificate("new.example.test"));
  CHECK(store_test::read_json(path)["le"]["Certificates"][1]["key"] == "LS0tLS1CRUdJTi!secret");
}

TEST_CASE("a field of the wrong type is named") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  write_file(path, R"({"le": {"Account": {"Email": 5}, "Certificates": [
    {"domain": {"main": "a.example.test", "sans": "b.example.test"}}]}})");
  AcmeJsonStore store(path);
  CHECK(error_message_of(ErrorKind::storage, [&] { store.load_account("le"); }) ==
        path + ": resolver \"le\", Account: field \"Email\" must be a string");
  CHECK(error_message_of(ErrorKind::storage, [&] { store.certificates("le"); }) ==
        path +
            ": resolver \"le\", Certificates[0] (a.example.test), domain: field \"sans\" must "
            "be an array of strings");
}

TEST_CASE("entries without certificate or key are skipped, as Traefik does") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  write_file(path,
             R"({"le": {"Certificates": [{"domain": {"main": "a.example.test"}, "key": "eQ=="},
    {"domain": {"main": "b.example.test"}, "certificate": "eA==", "key": "eQ=="}]}})");
  AcmeJsonStore store(path);
  const auto certificates = store.certificates("le");
  REQUIRE(certificates.size() == 1);
  CHECK(certificates[0].main == "b.example.test");
  CHECK(certificates[0].certificate_pem == "x");
}

TEST_CASE("a directory that does not exist reads as empty and cannot be written") {
  TempDir dir;
  AcmeJsonStore store(dir.file("missing/acme.json"));
  CHECK(store.resolvers().empty());
  CHECK(contains(error_message_of(ErrorKind::storage,
                                  [&] { store.save_certificate("le", make_certificate("a")); }),
                 "missing/acme.json.lock"));
}

TEST_CASE("temporary files left by a killed writer are removed by the next write") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "traefik-rsa.acme.json");
  write_file(dir.file("acme.json.tmp-AbC123"), "{\"half\": ");
  write_file(dir.file("acme.json.tmp-keep"), "not ours: the suffix is not 6 characters");
  write_file(dir.file("other.json.tmp-AbC123"), "another file's");
  AcmeJsonStore store(path);
  CHECK(store.certificates("letsencrypt").size() == 2);  // reading ignores them
  store.save_certificate("letsencrypt", make_certificate("c.example.test"));
  CHECK(::access(dir.file("acme.json.tmp-AbC123").c_str(), F_OK) != 0);
  CHECK(::access(dir.file("acme.json.tmp-keep").c_str(), F_OK) == 0);
  CHECK(::access(dir.file("other.json.tmp-AbC123").c_str(), F_OK) == 0);
  CHECK(store_test::count_temp_files(dir) == 1);  // only acme.json.tmp-keep
}

TEST_CASE("a symbolic link is followed: its target is replaced, the link stays") {
  TempDir dir;
  const std::string target = copy_fixture(dir, "traefik-rsa.acme.json");
  const std::string link = dir.file("link.json");
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  AcmeJsonStore store(link);
  store.save_certificate("letsencrypt", make_certificate("c.example.test"));
  struct stat info {};
  REQUIRE(::lstat(link.c_str(), &info) == 0);
  CHECK(S_ISLNK(info.st_mode));
  CHECK(store_test::read_json(target)["letsencrypt"]["Certificates"].size() == 3);
}
