// SPDX-License-Identifier: Apache-2.0
// Batched writes and the reuse of a parse: a batch of changes replaces acme.json once, keeps what
// other writers did meanwhile, and a store notices a file changed behind its back.

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cctype>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "support/store_test_files.hpp"

using acmecpp::AcmeJsonStore;
using acmecpp::CertificateRecord;
using store_test::TempDir;

namespace {

CertificateRecord make_certificate(const std::string& main, const std::string& body = "one") {
  CertificateRecord record;
  record.main = main;
  record.certificate_pem =
      "-----BEGIN CERTIFICATE-----\n" + main + body + "\n-----END CERTIFICATE-----\n";
  record.key_pem = "-----BEGIN PRIVATE KEY-----\n" + main + "\n-----END PRIVATE KEY-----\n";
  return record;
}

ino_t inode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_ino;
}

std::size_t count_named(const AcmeJsonStore& store, const std::string& main) {
  return store.certificates_named("le", main).size();
}

}  // namespace

TEST_CASE("a batch of changes is seen at once by its store and written to the file once") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore store(path);
  store.save_certificate("le", make_certificate("first.example.test"));
  const ino_t before = inode_of(path);
  const std::string text_before = store_test::read_file(path);
  REQUIRE(store.files_written() == 1);

  AcmeJsonStore::Batch batch(store);
  store.save_certificate("le", make_certificate("a.example.test"));
  store.save_certificate("le", make_certificate("b.example.test"));
  store.save_certificate("le", make_certificate("first.example.test", "two"));
  CHECK(store.remove_certificate("le", "a.example.test"));

  // This store sees the batch; the file (and so every other reader) does not, yet.
  CHECK(count_named(store, "B.example.test") == 1);
  CHECK(count_named(store, "a.example.test") == 0);
  CHECK(store.certificates("le").size() == 2);
  CHECK(store_test::read_file(path) == text_before);
  CHECK(AcmeJsonStore(path).certificates("le").size() == 1);
  CHECK(store.files_written() == 1);

  batch.commit();
  CHECK(store.files_written() == 2);
  CHECK(inode_of(path) != before);  // replaced by rename, as every write is
  CHECK(store_test::file_mode(path) == 0600);
  AcmeJsonStore reader(path);
  const auto stored = reader.certificates("le");
  REQUIRE(stored.size() == 2);
  CHECK(stored[0].main == "first.example.test");
  CHECK(stored[0].certificate_pem == make_certificate("first.example.test", "two").certificate_pem);
  CHECK(stored[1].main == "b.example.test");
}

TEST_CASE("a batch committed after another writer changed the file keeps that writer's change") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore mine(path);
  AcmeJsonStore other(path);
  {
    AcmeJsonStore::Batch batch(mine);
    mine.save_certificate("le", make_certificate("mine.example.test"));
    other.save_certificate("le", make_certificate("other.example.test"));
    // The batch's own view follows the file and still holds the pending change.
    CHECK(count_named(mine, "other.example.test") == 1);
    CHECK(count_named(mine, "mine.example.test") == 1);
    batch.commit();
  }
  AcmeJsonStore reader(path);
  CHECK(count_named(reader, "mine.example.test") == 1);
  CHECK(count_named(reader, "other.example.test") == 1);
  CHECK(mine.files_written() == 1);
}

TEST_CASE("a batch that changed nothing writes nothing, nested batches write at the outermost") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore store(path);
  {
    AcmeJsonStore::Batch empty(store);
    CHECK_FALSE(store.remove_certificate("le", "missing.example.test"));
    empty.commit();
  }
  CHECK(store.files_written() == 0);
  AcmeJsonStore::Batch outer(store);
  {
    AcmeJsonStore::Batch inner(store);
    store.save_certificate("le", make_certificate("x.example.test"));
    inner.commit();
  }
  CHECK(store.files_written() == 0);
  outer.commit();
  CHECK(store.files_written() == 1);
  CHECK(count_named(AcmeJsonStore(path), "x.example.test") == 1);
}

TEST_CASE("a store reading a file rewritten in place by someone else sees the new content") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore writer(path);
  writer.save_certificate("le", make_certificate("old.example.test"));
  AcmeJsonStore reader(path);
  CHECK(count_named(reader, "old.example.test") == 1);
  // Same size, rewritten in place (as Traefik does), at once: the stamp may not change within
  // one clock tick, which the store must not be fooled by.
  std::string text = store_test::read_file(path);
  const auto at = text.find("old.example.test");
  REQUIRE(at != std::string::npos);
  text.replace(at, 3, "new");
  store_test::write_file(path, text);
  CHECK(count_named(reader, "old.example.test") == 0);
  CHECK(count_named(reader, "new.example.test") == 1);
  // A chmod to something too open is noticed too.
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  CHECK_THROWS_AS(reader.certificates("le"), acmecpp::Error);
}

TEST_CASE("certificates_named finds every entry of a main name, ignoring case, in file order") {
  TempDir dir;
  const std::string path = store_test::copy_fixture(dir, "traefik-rsa.acme.json");
  AcmeJsonStore store(path);
  for (const auto& resolver : store.resolvers()) {
    for (const auto& record : store.certificates(resolver)) {
      const auto found = store.certificates_named(resolver, record.main);
      REQUIRE(!found.empty());
      CHECK(found.front().certificate_pem == record.certificate_pem);
      std::string upper = record.main;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      CHECK(store.certificates_named(resolver, upper).size() == found.size());
    }
  }
  CHECK(store.certificates_named("le", "").empty());
  CHECK(store.certificates_named("no-such-resolver", "x.example.test").empty());
}

TEST_CASE("flush_batch writes what a batch changed so far and keeps the batch open") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore store(path);
  AcmeJsonStore::Batch batch(store);
  store.save_certificate("le", make_certificate("early.example.test"));
  store.flush_batch();
  CHECK(store.files_written() == 1);
  CHECK(count_named(AcmeJsonStore(path), "early.example.test") == 1);
  store.flush_batch();  // nothing new: nothing written
  CHECK(store.files_written() == 1);
  store.save_certificate("le", make_certificate("late.example.test"));
  CHECK(count_named(AcmeJsonStore(path), "late.example.test") == 0);  // still batched
  batch.commit();
  CHECK(store.files_written() == 2);
  CHECK(count_named(AcmeJsonStore(path), "late.example.test") == 1);
}
