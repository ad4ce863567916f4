// SPDX-License-Identifier: Apache-2.0
// Concurrent writers, threads and processes, lose nothing: each change is a read-modify-write
// under the lock file's flock.

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <thread>

#include "acmecpp/store.hpp"
#include "support/store_test_files.hpp"

using acmecpp::AcmeJsonStore;
using acmecpp::CertificateRecord;
using store_test::TempDir;

namespace {

constexpr int kCertificatesPerWriter = 15;

CertificateRecord make_certificate(const std::string& main) {
  CertificateRecord record;
  record.main = main;
  record.certificate_pem = "-----BEGIN CERTIFICATE-----\n" + main + "\n-----END CERTIFICATE-----\n";
  record.key_pem = "-----BEGIN PRIVATE KEY-----\n" + main + "\n-----END PRIVATE KEY-----\n";
  return record;
}

std::string name_of(int writer, int index) {
  return "w" + std::to_string(writer) + "-" + std::to_string(index) + ".example.test";
}

void add_certificates(AcmeJsonStore& store, int writer) {
  for (int i = 0; i < kCertificatesPerWriter; ++i) {
    store.save_certificate("le", make_certificate(name_of(writer, i)));
  }
}

void check_all_present(AcmeJsonStore& store, int writers) {
  std::set<std::string> names;
  for (const auto& record : store.certificates("le")) {
    CHECK(record.certificate_pem == make_certificate(record.main).certificate_pem);
    names.insert(record.main);
  }
  CHECK(names.size() == std::size_t(writers * kCertificatesPerWriter));
  for (int writer = 0; writer < writers; ++writer) {
    for (int i = 0; i < kCertificatesPerWriter; ++i) CHECK(names.count(name_of(writer, i)) == 1);
  }
}

}  // namespace

TEST_CASE("threads adding certificates through one store and through several lose nothing") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore shared(path);
  AcmeJsonStore other(path);
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  // An exception escaping a thread would abort the whole test program: collect them instead.
  auto run = [&](auto&& body) {
    return std::thread([&errors_mutex, &errors, body] {
      try {
        body();
      } catch (const std::exception& error) {
        std::lock_guard<std::mutex> lock(errors_mutex);
        errors.push_back(error.what());
      }
    });
  };
  std::vector<std::thread> threads;
  threads.push_back(run([&] { add_certificates(shared, 0); }));
  threads.push_back(run([&] { add_certificates(shared, 1); }));
  threads.push_back(run([&] { add_certificates(other, 2); }));
  threads.push_back(run([&] {
    AcmeJsonStore own(path);
    add_certificates(own, 3);
  }));
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) FAIL_CHECK(error);
  check_all_present(shared, 4);
}

TEST_CASE("processes adding certificates to the same file lose nothing") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  constexpr int kChildren = 3;
  std::vector<pid_t> children;
  for (int writer = 0; writer < kChildren; ++writer) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child must not return into doctest: it leaves through _exit, with its verdict.
      int status = 0;
      try {
        AcmeJsonStore store(path);
        add_certificates(store, writer);
      } catch (...) {
        status = 1;
      }
      ::_exit(status);
    }
    children.push_back(pid);
  }
  AcmeJsonStore store(path);
  add_certificates(store, kChildren);  // the parent writes at the same time
  for (const pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  check_all_present(store, kChildren + 1);
}
