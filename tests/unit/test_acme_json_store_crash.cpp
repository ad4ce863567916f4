// SPDX-License-Identifier: Apache-2.0
// Crash safety: a writer killed with SIGKILL at any moment leaves acme.json complete — the old
// content or the new, never a mix — and the temporary file it may leave is ignored by readers
// and removed by the next writer.

#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "acmecpp/store.hpp"
#include "core/unique_fd.hpp"
#include "store/acme_json_document.hpp"
#include "store/atomic_file.hpp"
#include "support/process.hpp"
#include "support/store_crash_payload.hpp"
#include "support/store_test_files.hpp"

using acmecpp::AcmeJsonStore;
using acmecpp::CertificateRecord;
using namespace store_crash;
using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;

namespace {

constexpr int kKills = 60;

bool same(const CertificateRecord& a, const CertificateRecord& b) {
  return a.main == b.main && a.sans == b.sans && a.certificate_pem == b.certificate_pem &&
         a.key_pem == b.key_pem && a.store == b.store;
}

template <typename Action>
microseconds time_of(Action&& action) {
  const auto start = Clock::now();
  action();
  return std::chrono::duration_cast<microseconds>(Clock::now() - start);
}

acmecpp::testing::ChildProcess start_writer(const std::string& path, long first_generation) {
  return acmecpp::testing::ChildProcess(
      {ACMECPP_STORE_WRITER_PATH, path, std::to_string(first_generation)});
}

// Tells when a writer creates its temporary file, so that a kill can be aimed at the short
// write-fsync-rename window; random kills alone mostly land while it parses or serialises.
class TempFileWatch {
 public:
  explicit TempFileWatch(const std::string& directory)
      : fd_(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
    REQUIRE(fd_);
    REQUIRE(::inotify_add_watch(fd_.get(), directory.c_str(), IN_CREATE) >= 0);
  }

  bool wait_for_creation(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      pollfd ready{fd_.get(), POLLIN, 0};
      ::poll(&ready, 1, 100);
      alignas(inotify_event) char buffer[4096];
      const ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
      for (ssize_t at = 0; n > 0 && at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        if (event->len > 0 && std::string(event->name).rfind("acme.json.tmp-", 0) == 0) return true;
        at += ssize_t(sizeof(inotify_event) + event->len);
      }
    }
    return false;
  }

 private:
  acmecpp::core::UniqueFd fd_;
};

void kill_writer(acmecpp::testing::ChildProcess& writer) {
  writer.kill(SIGKILL);
  const auto status = writer.wait(std::chrono::seconds(30));
  REQUIRE(status.has_value());
  // Still running when killed: it did not stop on an error of its own.
  REQUIRE(status->term_signal == SIGKILL);
}

// Reads the file afresh (it must parse) and checks that it holds a complete state. Returns the
// newest generation stored. Through AcmeJsonDocument, to parse the file once rather than once a
// call as AcmeJsonStore does.
long check_complete_state(const std::string& path) {
  const acmecpp::store::AcmeJsonDocument store(store_test::read_file(path), path);
  const auto account = store.account(kResolver);
  REQUIRE(account.has_value());
  CHECK(account->private_key_der == crash_account().private_key_der);
  CHECK(account->registration_body == crash_account().registration_body);

  std::set<std::string> mains;
  long newest = 0;
  for (const auto& record : store.certificates(kResolver)) {
    mains.insert(record.main);
    if (record.main == kSentinelMain) {
      CHECK(same(record, sentinel_certificate()));
      continue;
    }
    const long generation = generation_of(record);
    CAPTURE(generation);
    REQUIRE(generation > 0);
    CHECK(same(record, big_certificate(generation)));
    newest = std::max(newest, generation);
  }
  CHECK(mains == std::set<std::string>{kSentinelMain, kMainA, kMainB});
  return newest;
}

}  // namespace

TEST_CASE("a writer killed at random moments always leaves a complete acme.json") {
  store_test::TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore store(path);
  store.save_account(kResolver, crash_account());
  store.save_certificate(kResolver, sentinel_certificate());
  store.save_certificate(kResolver, big_certificate(1));
  const auto one_save = time_of([&] { store.save_certificate(kResolver, big_certificate(2)); });
  const std::string content = store_test::read_file(path);
  const auto one_write =
      time_of([&] { acmecpp::store::replace_file_atomically(dir.file("timing.json"), content); });

  std::random_device entropy;
  const unsigned seed = entropy();
  INFO("seed " << seed << ", one save " << one_save.count() << " us, of which writing "
               << one_write.count() << " us");
  std::mt19937 random(seed);
  // Odd kills: anywhere over a couple of whole saves (and the writer's start). Even kills: in
  // or just after the write-fsync-rename window.
  std::uniform_int_distribution<long> anywhere_us(0, 2 * one_save.count() + 20000);
  std::uniform_int_distribution<long> in_write_us(0, 2 * one_write.count());

  long newest = 2;
  int kills_leaving_temp_file = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    CAPTURE(kill);
    const bool aimed = kill % 2 == 0;
    TempFileWatch watch(dir.path());
    auto writer = start_writer(path, newest + 1);
    REQUIRE(writer.pid() > 0);
    if (aimed) {
      REQUIRE(watch.wait_for_creation(std::chrono::seconds(30)));
      std::this_thread::sleep_for(microseconds(in_write_us(random)));
    } else {
      std::this_thread::sleep_for(microseconds(anywhere_us(random)));
    }
    kill_writer(writer);

    const int temp_files = store_test::count_temp_files(dir);
    CHECK(temp_files <= 1);  // earlier leftovers were removed by the next writer
    if (temp_files > 0) ++kills_leaving_temp_file;
    const long generation = check_complete_state(path);
    CHECK(generation >= newest);  // what was once saved is never lost
    newest = generation;
  }
  MESSAGE("newest generation " << newest << "; " << kills_leaving_temp_file << " of " << kKills
                               << " kills left a temporary file");
  CHECK(newest > 2 + kKills / 10);     // the writer did complete many saves
  CHECK(kills_leaving_temp_file > 0);  // and was interrupted while writing

  store.save_certificate(kResolver, sentinel_certificate());
  CHECK(store_test::count_temp_files(dir) == 0);
  check_complete_state(path);
}
