// SPDX-License-Identifier: Apache-2.0
// Exec hooks: real /bin/sh processes receiving the event's environment; exit codes, output
// tails, timeouts that kill the whole process group.

#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <thread>

#include "support/process.hpp"
#include "support/sigchld.hpp"
#include "support/temp_dir.hpp"
#include "tools/exec_hooks.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

CertificateEvent renewed_event() {
  CertificateEvent event;
  event.type = CertificateEventType::renewed;
  event.names = {"example.test", "www.example.test"};
  event.resolver = "le";
  event.not_after = std::chrono::system_clock::time_point(std::chrono::seconds(1735790400));
  return event;
}

/// "NAME=value" lines of the hook's ACMECPP_* environment, as the hook saw them.
std::string acmecpp_variables(const HookResult& result) {
  return result.stdout_tail;
}

}  // namespace

TEST_CASE("a hook receives the event in ACMECPP_* variables, and no stale ones") {
  ::setenv("ACMECPP_STALE", "from the parent", 1);
  ::setenv("ACMECPP_ERROR", "an old error", 1);
  ExportedFiles files;
  files.certificate = "/out/example.test/cert.pem";
  files.chain = "/out/example.test/chain.pem";
  files.fullchain = "/out/example.test/fullchain.pem";
  files.private_key = "/out/example.test/privkey.pem";
  const auto result =
      run_event_hook("env | grep '^ACMECPP_' | LC_ALL=C sort", renewed_event(), files);
  ::unsetenv("ACMECPP_STALE");
  ::unsetenv("ACMECPP_ERROR");
  CHECK(result.succeeded());
  CHECK(acmecpp_variables(result) ==
        "ACMECPP_CERT_PATH=/out/example.test/cert.pem\n"
        "ACMECPP_CHAIN_PATH=/out/example.test/chain.pem\n"
        "ACMECPP_EVENT=renewed\n"
        "ACMECPP_FULLCHAIN_PATH=/out/example.test/fullchain.pem\n"
        "ACMECPP_KEY_PATH=/out/example.test/privkey.pem\n"
        "ACMECPP_MAIN=example.test\n"
        "ACMECPP_NAMES=example.test www.example.test\n"
        "ACMECPP_NOT_AFTER=2025-01-02T04:00:00Z\n"
        "ACMECPP_RESOLVER=le\n");
}

TEST_CASE("a failure's hook gets the error and no expiry, the inherited PATH still works") {
  CertificateEvent event;
  event.type = CertificateEventType::failed;
  event.names = {"down.example.test"};
  event.resolver = "le";
  event.error = "challenge failed: connection refused";
  const auto env = hook_environment(event);
  CHECK(env.at("ACMECPP_EVENT") == "failed");
  CHECK(env.at("ACMECPP_ERROR") == "challenge failed: connection refused");
  CHECK(env.count("ACMECPP_NOT_AFTER") == 0);
  CHECK(env.count("ACMECPP_CERT_PATH") == 0);
  const auto result =
      run_event_hook("printf '%s|%s' \"$ACMECPP_ERROR\" \"$(echo ok | tr a-z A-Z)\"", event);
  CHECK(result.stdout_tail == "challenge failed: connection refused|OK");
}

TEST_CASE("a non-zero exit is reported with the tail of stderr") {
  const auto result = run_hook("echo 'reload failed: nginx.conf line 3' >&2; exit 3", {});
  CHECK(result.exit_code == 3);
  CHECK_FALSE(result.timed_out);
  CHECK_FALSE(result.succeeded());
  CHECK(result.stderr_tail == "reload failed: nginx.conf line 3\n");
  HookOptions small;
  small.output_tail_bytes = 10;
  const auto long_output = run_hook("seq 1 1000; seq 1 500 >&2", {}, small);
  CHECK(long_output.stdout_tail == "\n999\n1000\n");
  CHECK(long_output.stderr_tail == "8\n499\n500\n");
  CHECK(long_output.succeeded());
}

TEST_CASE("a hook over its timeout is killed with everything it started") {
  TempDir dir;
  const std::string pid_file = (dir / "child.pid").string();
  HookOptions options;
  options.timeout = milliseconds(300);
  const auto started = Clock::now();
  const auto result =
      run_hook("sleep 30 & echo $! > '" + pid_file + "'; echo waiting; sleep 30", {}, options);
  CHECK(result.timed_out);
  CHECK_FALSE(result.succeeded());
  CHECK(result.term_signal == SIGKILL);
  CHECK(result.stdout_tail == "waiting\n");
  CHECK(Clock::now() - started < std::chrono::seconds(5));
  const pid_t background = static_cast<pid_t>(std::stol(read_text_file(pid_file)));
  CHECK(ends_within(background, milliseconds(2000)));
}

TEST_CASE("a hook that leaves a process holding its output returns when the shell exits") {
  TempDir dir;
  const std::string pid_file = (dir / "daemon.pid").string();
  const auto started = Clock::now();
  const auto result = run_hook("sleep 30 & echo $! > '" + pid_file + "'; echo started", {});
  const pid_t daemon = static_cast<pid_t>(std::stol(read_text_file(pid_file)));
  CHECK(result.succeeded());
  CHECK(result.stdout_tail == "started\n");
  CHECK(Clock::now() - started < std::chrono::seconds(5));
  // A daemon the hook started legitimately outlives it; the test cleans up its own.
  CHECK(process_alive(daemon));
  ::kill(daemon, SIGKILL);
}

TEST_CASE("a hook that closes its output but keeps running still times out") {
  HookOptions options;
  options.timeout = milliseconds(300);
  const auto result = run_hook("exec >&- 2>&-; sleep 30", {}, options);
  CHECK(result.timed_out);
}

TEST_CASE("a hook's exit status is right whatever the embedding program does with SIGCHLD") {
  for (const auto disposition : kSigchldDispositions) {
    CAPTURE(std::string(to_string(disposition)));
    const ScopedSigchld scoped(disposition);
    HookOptions options;
    options.timeout = milliseconds(20000);
    const auto started = Clock::now();
    const auto ok = run_hook("exit 0", {}, options);
    CHECK(ok.succeeded());
    CHECK(ok.exit_code == 0);
    const auto three = run_hook("echo failing >&2; exit 3", {}, options);
    CHECK(three.exit_code == 3);
    CHECK_FALSE(three.timed_out);
    CHECK(three.stderr_tail == "failing\n");
    const auto killed = run_hook("kill -USR1 $$", {}, options);
    CHECK(killed.term_signal == SIGUSR1);
    CHECK(killed.exit_code == -1);
    CHECK_FALSE(killed.timed_out);
    // Not one of them waited for the timeout.
    CHECK(Clock::now() - started < std::chrono::seconds(10));
  }
}

TEST_CASE("a hook given a 10 MB error runs and sees it cut to 4 KiB with a marker") {
  CertificateEvent event;
  event.type = CertificateEventType::failed;
  event.names = {"big.example.test"};
  event.resolver = "le";
  event.error = "urn:ietf:params:acme:error:malformed: " + std::string(10 * 1024 * 1024, 'd');
  // Before: the whole text went into the variable, exec failed with E2BIG and run_hook threw.
  const auto result = run_event_hook("printf %s \"$ACMECPP_ERROR\"", event);
  REQUIRE_MESSAGE(result.start_error.empty(), result.start_error);
  CHECK(result.succeeded());
  const std::string marker =
      "\xE2\x80\xA6 [truncated from " + std::to_string(event.error.size()) + " bytes]";
  CHECK(result.stdout_tail.size() <= 4096);
  CHECK(result.stdout_tail.size() > 4000);
  CHECK(result.stdout_tail.rfind("urn:ietf:params:acme:error:malformed: ddd", 0) == 0);
  CHECK(result.stdout_tail.substr(result.stdout_tail.size() - marker.size()) == marker);
}

TEST_CASE("a hook value is cut before a UTF-8 character, never inside one") {
  // "é" is two bytes: wherever the cut falls, what is kept must be whole characters.
  std::string accents;
  for (int i = 0; i < 3000; ++i) accents += "\xC3\xA9";
  for (const std::string& prefix : {std::string(), std::string("x")}) {
    CAPTURE(prefix.size());
    const auto result =
        run_hook("printf %s \"$ACMECPP_ERROR\"", {{"ACMECPP_ERROR", prefix + accents}});
    const std::string& seen = result.stdout_tail;
    const auto kept = seen.substr(0, seen.find("\xE2\x80\xA6 [truncated"));
    REQUIRE(kept.size() > prefix.size());
    CHECK((kept.size() - prefix.size()) % 2 == 0);
    CHECK(kept.substr(kept.size() - 2) == "\xC3\xA9");
  }
}

TEST_CASE("ACMECPP_NAMES with 100 names of 253 bytes reaches the hook whole") {
  CertificateEvent event = renewed_event();
  event.names.clear();
  for (int i = 0; i < 100; ++i) {
    // 253 bytes: labels of 63, 63, 63 and 61 characters.
    const std::string tag = std::to_string(100 + i);
    event.names.push_back(std::string(60, 'a') + tag + "." + std::string(63, 'b') + "." +
                          std::string(63, 'c') + "." + std::string(61, 'd'));
  }
  REQUIRE(event.names.front().size() == 253);
  const auto env = hook_environment(event);
  const auto result = run_event_hook("printf %s \"$ACMECPP_NAMES\"", event);
  CHECK(result.stdout_tail.size() == 4096);  // the tail kept by default
  HookOptions whole;
  whole.output_tail_bytes = 64 * 1024;
  CHECK(run_event_hook("printf %s \"$ACMECPP_NAMES\"", event, std::nullopt, whole).stdout_tail ==
        env.at("ACMECPP_NAMES"));
}

TEST_CASE("a hook whose shell cannot be started is reported in the result, not thrown") {
  // 600 variables of 4 KiB each: more than the kernel takes for a whole environment (E2BIG),
  // although each value is within the bound.
  std::map<std::string, std::string> many;
  for (int i = 0; i < 600; ++i) many["ACMECPP_FILL_" + std::to_string(i)] = std::string(4000, 'f');
  HookResult result;
  CHECK_NOTHROW(result = run_hook("exit 0", many));
  CHECK_FALSE(result.succeeded());
  CHECK_FALSE(result.timed_out);
  CHECK(result.start_error.find("cannot start /bin/sh") != std::string::npos);
  CHECK(result.start_error.find("Argument list too long") != std::string::npos);
}
