// SPDX-License-Identifier: Apache-2.0
// A store whose lock another process holds: the wait is announced at once (naming the lock file
// and the holder), ends after the timeout with Error(busy) (acmectl: exit 15), and ends on a stop
// (acmectl: SIGTERM). The holder is a real process: util-linux's flock(1) holding the lock file.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "core/unique_fd.hpp"
#include "support/eventually.hpp"
#include "support/log_timestamps.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

/// True when some other open file description holds a lock on `path`.
bool held_elsewhere(const std::string& path) {
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return false;
  return errno == EWOULDBLOCK;
}

/// flock(1) holding an exclusive lock on `lock_path` (it sleeps meanwhile) until destroyed.
struct LockHolder {
  explicit LockHolder(const std::string& lock_path)
      : process({"flock", "--exclusive", lock_path, "sleep", "120"}) {
    REQUIRE(eventually([&] { return held_elsewhere(lock_path); }, 10s));
  }
  ChildProcess process;
};

/// A store file with one certificate in it.
std::string existing_store(const TempDir& dir) {
  const std::string path = (dir / "acme.json").string();
  store_due_certificate(path, "locked.example.test");
  return path;
}

ChildProcess start_acmectl(const std::vector<std::string>& args,
                           const std::filesystem::path& output) {
  std::vector<std::string> argv{ACMECPP_ACMECTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return ChildProcess(argv, {}, output);
}

}  // namespace

TEST_CASE("AcmeJsonStore announces a lock wait and ends it with Error(busy) or on stop") {
  TempDir dir;
  const std::string path = existing_store(dir);
  const std::string lock_path = path + ".lock";
  LockHolder holder(lock_path);

  std::vector<StoreLockWait> told;
  AcmeJsonStoreOptions options;
  options.lock_timeout = 1500ms;
  options.on_lock_wait = [&told](const StoreLockWait& wait) { told.push_back(wait); };
  const auto start = std::chrono::steady_clock::now();
  try {
    AcmeJsonStore store(path, options);
    FAIL("the store opened while another process held its lock");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::busy);
    CHECK(std::string(e.what()).find(lock_path) != std::string::npos);
    CHECK(std::string(e.what()).find(std::to_string(holder.process.pid())) != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - start >= 1500ms);
  REQUIRE(told.size() == 1);  // once per wait, not once per try
  CHECK(told[0].lock_path == lock_path);
  CHECK(told[0].holder_pid == holder.process.pid());
  CHECK(told[0].timeout == 1500ms);

  StopSource stop;
  options.lock_timeout = std::chrono::minutes(5);
  options.stop = stop.token();
  options.on_lock_wait = [&stop](const StoreLockWait&) { stop.request_stop(); };
  try {
    AcmeJsonStore store(path, options);
    FAIL("the store opened while another process held its lock");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::cancelled);
  }
}

TEST_CASE("acmectl list says at once that it waits for a held store lock and gives up with 15") {
  TempDir dir;
  const std::string path = existing_store(dir);
  LockHolder holder(path + ".lock");
  const auto output = dir / "list.out";
  const auto start = std::chrono::steady_clock::now();
  auto list = start_acmectl({"list", "--store", path, "--lock-timeout", "2s"}, output);
  // Said when the wait begins, long before the 2 s are over.
  const bool said = eventually(
      [&] { return read_text_file(output).find("waiting for the lock") != std::string::npos; },
      1500ms);
  CHECK_MESSAGE(said, read_text_file(output));
  const auto status = list.wait(30s);
  REQUIRE(status.has_value());
  CHECK(std::chrono::steady_clock::now() - start >= 2s);
  CHECK(status->exit_code == 15);
  const std::string text = read_text_file(output);
  CHECK(text.find("acmectl: info: waiting for the lock " + path + ".lock (held by process " +
                  std::to_string(holder.process.pid()) + "), at most 2s (--lock-timeout)") !=
        std::string::npos);
  CHECK(text.find("acmectl: error: the lock of " + path + ".lock was held") != std::string::npos);
}

TEST_CASE("SIGTERM ends acmectl's wait for a held store lock") {
  TempDir dir;
  const std::string path = existing_store(dir);
  LockHolder holder(path + ".lock");
  SUBCASE("list") {
    const auto output = dir / "list.out";
    auto list = start_acmectl({"list", "--store", path}, output);  // the default: 5 minutes
    REQUIRE(eventually(
        [&] { return read_text_file(output).find("waiting for the lock") != std::string::npos; },
        10s));
    list.kill(SIGTERM);
    const auto status = list.wait(5s);
    REQUIRE(status.has_value());
    CHECK(status->term_signal == SIGTERM);
  }
  SUBCASE("run") {
    const auto config = dir / "run.yaml";
    write_text_file(config, "certificates:\n  - names: [locked.example.test]\n");
    const auto output = dir / "run.out";
    auto run = start_acmectl({"run", "--config", config.string(), "--store", path, "--server",
                              "https://127.0.0.1:9/dir", "--http-port", "1"},
                             output);
    REQUIRE(eventually(
        [&] { return read_text_file(output).find("waiting for the lock") != std::string::npos; },
        10s));
    run.kill(SIGTERM);
    const auto status = run.wait(5s);
    REQUIRE_MESSAGE(status.has_value(), read_text_file(output));
    CHECK_MESSAGE(status->exit_code == 0, read_text_file(output));
    CHECK(read_text_file(output).find("acmectl: info: stopped") != std::string::npos);
  }
}

TEST_CASE("list, renew and export refuse a store that does not exist") {
  TempDir dir;
  const std::string missing = (dir / "no-such" / "acme.json").string();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"list"}, std::vector<std::string>{"renew"},
        std::vector<std::string>{"export", "--out", (dir / "out").string()}}) {
    std::vector<std::string> argv{ACMECPP_ACMECTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--store", missing});
    const auto result = run_process(argv);
    CAPTURE(args.front());
    CHECK(result.exit_code == 9);
    CHECK(without_timestamps(result.err) ==
          "acmectl: error: the store " + missing +
              " does not exist (check --store; issue and register create it)\n");
    CHECK_FALSE(std::filesystem::exists(missing));
  }
}
