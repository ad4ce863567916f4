// SPDX-License-Identifier: Apache-2.0
// acmectl issue --batch and renew --concurrency against Pebble: many certificates in one process,
// at most --concurrency orders in flight, every line checked before the first order, and
// acme.json replaced once for the whole batch.

#include <doctest/doctest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "crypto/self_signed.hpp"
#include "support/challtestsrv.hpp"
#include "support/temp_dir.hpp"
#include "support/text_count.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

/// The most orders in flight at any point of Pebble's request log (one line per request, in
/// the order Pebble took them): an order is in flight from its new-order request until its
/// certificate is downloaded.
int most_orders_in_flight(const std::string& pebble_log) {
  std::istringstream lines(pebble_log);
  int in_flight = 0;
  int most = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("POST /order-plz") != std::string::npos) most = std::max(most, ++in_flight);
    if (line.find("POST /certZ/") != std::string::npos) --in_flight;
  }
  return most;
}

/// Counts the times a file named `name` is renamed into `dir` (how acme.json is replaced),
/// from the kernel's own account of it: inotify IN_MOVED_TO events.
class RenameCounter {
 public:
  RenameCounter(const std::string& dir, std::string name) : name_(std::move(name)) {
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    REQUIRE(fd_ >= 0);
    REQUIRE(::inotify_add_watch(fd_, dir.c_str(), IN_MOVED_TO) >= 0);
  }
  ~RenameCounter() { ::close(fd_); }
  RenameCounter(const RenameCounter&) = delete;
  RenameCounter& operator=(const RenameCounter&) = delete;

  int count() {
    alignas(inotify_event) char buffer[8192];
    for (ssize_t n; (n = ::read(fd_, buffer, sizeof buffer)) > 0;) {
      for (char* at = buffer; at < buffer + n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(at);
        if (event->len > 0 && name_ == event->name) ++renames_;
        at += sizeof(inotify_event) + event->len;
      }
    }
    return renames_;
  }

 private:
  std::string name_;
  int fd_ = -1;
  int renames_ = 0;
};

std::vector<std::string> http_args(const PebbleEnv& pebble) {
  return {"--http-address", "127.0.0.1", "--http-port", std::to_string(pebble.http_port())};
}

std::vector<std::string> batch_args(const PebbleEnv& pebble, const std::string& file,
                                    const std::string& concurrency) {
  std::vector<std::string> args{"issue", "--batch", file, "--concurrency", concurrency};
  const auto http = http_args(pebble);
  args.insert(args.end(), http.begin(), http.end());
  return args;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::vector<std::string> stored_mains(const std::string& store) {
  std::vector<std::string> mains;
  for (const auto& record : AcmeJsonStore(store).certificates("letsencrypt")) {
    mains.push_back(record.main);
  }
  std::sort(mains.begin(), mains.end());
  return mains;
}

}  // namespace

TEST_CASE(
    "issue --batch issues every line, at most --concurrency at once, writing acme.json once") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto batch = dir / "batch.txt";
  write_text(batch,
             "# web front ends\n"
             "one.batch.test www.one.batch.test\n"
             "\n"
             "two.batch.test   # the API\n"
             "three.batch.test\n"
             "  four.batch.test\n"
             "five.batch.test\n"
             "six.batch.test\n");
  RenameCounter renames(dir.path().string(), "acme.json");

  const auto result = run_acmectl(pebble, store, batch_args(pebble, batch.string(), "2"));
  REQUIRE_MESSAGE(result.exit_code == 0, describe(result));
  CHECK(count_occurrences(result.out, "issued letsencrypt  names=") == 6);
  CHECK(count_occurrences(result.out, "names=one.batch.test,www.one.batch.test ") == 1);
  CHECK(stored_mains(store) == std::vector<std::string>{"five.batch.test", "four.batch.test",
                                                        "one.batch.test", "six.batch.test",
                                                        "three.batch.test", "two.batch.test"});
  // The account and six certificates: one replacement of the file.
  CHECK(renames.count() == 1);
  const std::string log = pebble.pebble_log();
  CHECK(count_occurrences(log, "POST /order-plz") == 6);
  // Two workers: the second order starts while the first validates, never a third.
  CHECK(most_orders_in_flight(log) == 2);
}

TEST_CASE("issue --batch refuses a bad line with file:line before placing any order") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto batch = dir / "batch.txt";
  write_text(batch, "good.batch.test\n# fine\nbad_name!.batch.test\nlater.batch.test\n");

  const auto bad = run_acmectl(pebble, store, batch_args(pebble, batch.string(), "2"));
  CHECK_MESSAGE(bad.exit_code == 3, describe(bad));
  CHECK(bad.err.find(batch.string() + ":3: ") != std::string::npos);
  CHECK(bad.err.find("bad_name!.batch.test") != std::string::npos);
  CHECK(pebble.new_order_requests() == 0);
  CHECK_FALSE(std::filesystem::exists(store));

  write_text(batch, "same.batch.test\nSAME.batch.test www.same.batch.test\n");
  const auto duplicate = run_acmectl(pebble, store, batch_args(pebble, batch.string(), "2"));
  CHECK_MESSAGE(duplicate.exit_code == 3, describe(duplicate));
  CHECK(duplicate.err.find(batch.string() + ":2: ") != std::string::npos);

  write_text(batch, "# nothing but comments\n\n");
  CHECK(run_acmectl(pebble, store, batch_args(pebble, batch.string(), "2")).exit_code == 3);
  write_text(batch, "x.batch.test\n");
  const auto too_many = run_acmectl(pebble, store, batch_args(pebble, batch.string(), "17"));
  CHECK_MESSAGE(too_many.exit_code == 3, describe(too_many));
  CHECK(too_many.err.find("--concurrency 17") != std::string::npos);
  CHECK(pebble.new_order_requests() == 0);
}

TEST_CASE("issue --batch reports each failed line and exits 11, keeping what was issued") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto batch = dir / "batch.txt";
  // Pebble validates fails.batch.test at 127.0.0.2, where no HTTP-01 server answers.
  ChallTestSrv(pebble.challtestsrv_management_url()).add_a("fails.batch.test", {"127.0.0.2"});
  write_text(batch, "ok.batch.test\nfails.batch.test\n");
  const auto result = run_acmectl(pebble, store, batch_args(pebble, batch.string(), "2"));
  CHECK_MESSAGE(result.exit_code == 11, describe(result));
  CHECK(count_occurrences(result.out, "issued letsencrypt  names=ok.batch.test") == 1);
  CHECK(result.err.find("line 2: issuing fails.batch.test failed") != std::string::npos);
  CHECK(stored_mains(store) == std::vector<std::string>{"ok.batch.test"});
}

TEST_CASE("renew --concurrency renews the due certificates at most N at once, writing once") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto fresh = issue_standalone(pebble, store, {"fresh.batch.test"});
  REQUIRE_MESSAGE(fresh.exit_code == 0, describe(fresh));
  {
    AcmeJsonStore writer(store);
    const auto now = std::chrono::system_clock::now();
    for (const char* name : {"due1.batch.test", "due2.batch.test", "due3.batch.test"}) {
      const auto key = PrivateKey::generate(KeyType::ec256);
      CertificateRecord due;
      due.main = name;
      due.certificate_pem = crypto::make_certificate_pem(key, {name}, now - 89 * 24h, now + 24h);
      due.key_pem = key.to_pem();
      writer.save_certificate("letsencrypt", due);
    }
  }
  const std::size_t orders_before = pebble.new_order_requests();
  RenameCounter renames(dir.path().string(), "acme.json");
  std::vector<std::string> args{"renew", "--concurrency", "2"};
  const auto http = http_args(pebble);
  args.insert(args.end(), http.begin(), http.end());

  const auto renew = run_acmectl(pebble, store, args);
  REQUIRE_MESSAGE(renew.exit_code == 0, describe(renew));
  CHECK(count_occurrences(renew.out, "renewed letsencrypt  names=due") == 3);
  CHECK(count_occurrences(renew.out, "fresh.batch.test") == 0);
  CHECK(renames.count() == 1);
  const std::string log = pebble.pebble_log();
  CHECK(count_occurrences(log, "POST /order-plz") - orders_before == 3);
  CHECK(most_orders_in_flight(log) == 2);
  // Renewed and stored: nothing is due any more, and nothing is written.
  const auto idle = run_acmectl(pebble, store, args);
  CHECK(idle.exit_code == 0);
  CHECK(idle.out.empty());
  CHECK(renames.count() == 1);
}
