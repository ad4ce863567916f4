// SPDX-License-Identifier: Apache-2.0
// The exec DNS provider against real shell scripts written into a temporary directory.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"
#include "support/process.hpp"
#include "support/sigchld.hpp"
#include "support/temp_dir.hpp"

using acmecpp::ChallengeError;
using acmecpp::Error;
using acmecpp::ErrorKind;
using acmecpp::ExecProviderOptions;
using acmecpp::make_exec_provider;
using acmecpp::testing::ends_within;
using acmecpp::testing::read_text_file;
using acmecpp::testing::TempDir;
using acmecpp::testing::write_text_file;
using namespace std::chrono_literals;

namespace {

const std::string kName = "_acme-challenge.example.com.";

std::filesystem::path write_script(const TempDir& dir, const std::string& body) {
  const std::filesystem::path script = dir / "hook.sh";
  write_text_file(script, "#!/bin/sh\n" + body);
  REQUIRE(::chmod(script.c_str(), 0700) == 0);
  return script;
}

ExecProviderOptions options_for(const std::filesystem::path& script) {
  ExecProviderOptions options;
  options.program = script.string();
  options.timeout = 10s;
  return options;
}

template <typename Call>
std::string challenge_error_of(Call call) {
  try {
    call();
  } catch (const ChallengeError& error) {
    CHECK(error.kind() == ErrorKind::challenge);
    return error.what();
  }
  FAIL("expected a ChallengeError");
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("exec provider calls PROGRAM present|cleanup FQDN VALUE, with the extra environment") {
  TempDir dir;
  // "$#" proves every argument arrives whole: no shell splits the value.
  const auto script =
      write_script(dir,
                   "printf '%s|%s|%s|%s|%s\\n' \"$#\" \"$1\" \"$2\" \"$3\" \"$HOOK_TAG\" "
                   ">> \"$HOOK_LOG\"\n");
  ExecProviderOptions options = options_for(script);
  options.env = {{"HOOK_LOG", (dir / "calls.log").string()}, {"HOOK_TAG", "tagged"}};
  const auto provider = make_exec_provider(options);
  CHECK(provider->name() == "exec");

  provider->present(kName, "value-1");
  provider->present(kName, "with space; $(not run)");
  provider->cleanup(kName, "value-1");

  CHECK(read_text_file(dir / "calls.log") ==
        "3|present|_acme-challenge.example.com.|value-1|tagged\n"
        "3|present|_acme-challenge.example.com.|with space; $(not run)|tagged\n"
        "3|cleanup|_acme-challenge.example.com.|value-1|tagged\n");
}

TEST_CASE("exec provider reports a non-zero exit with its code and the script's stderr") {
  TempDir dir;
  const auto script = write_script(dir, "echo 'some progress'\necho boom >&2\nexit 3\n");
  const auto provider = make_exec_provider(options_for(script));

  const std::string message = challenge_error_of([&] { provider->present(kName, "v"); });
  CHECK(contains(message, "exit code 3"));
  CHECK(contains(message, "boom"));
  CHECK(contains(message, script.string() + " present " + kName));
  CHECK_FALSE(contains(message, "some progress"));  // stdout only when stderr says nothing

  const std::string cleanup_message = challenge_error_of([&] { provider->cleanup(kName, "v"); });
  CHECK(contains(cleanup_message, " cleanup " + kName));
}

TEST_CASE("exec provider falls back to stdout when a failing script wrote nothing to stderr") {
  TempDir dir;
  const auto script = write_script(dir, "echo 'zone not found'\nexit 1\n");
  const std::string message =
      challenge_error_of([&] { make_exec_provider(options_for(script))->present(kName, "v"); });
  CHECK(contains(message, "exit code 1"));
  CHECK(contains(message, "zone not found"));
}

TEST_CASE("exec provider kills a hanging script's whole process group after the timeout") {
  TempDir dir;
  // The sleep is a grandchild: killing only the shell would leave it running.
  const auto script = write_script(dir, "sleep 30 &\necho $! > \"$0.sleep-pid\"\nwait\n");
  ExecProviderOptions options = options_for(script);
  options.timeout = 1s;
  const auto provider = make_exec_provider(options);

  const auto started = std::chrono::steady_clock::now();
  const std::string message = challenge_error_of([&] { provider->present(kName, "v"); });
  const auto took = std::chrono::steady_clock::now() - started;

  CHECK(contains(message, "did not finish within 1 s and was killed"));
  CHECK(took >= 1s);
  CHECK(took < 5s);
  const pid_t sleep_pid = std::stoi(read_text_file(script.string() + ".sleep-pid"));
  CHECK(ends_within(sleep_pid, 2000ms));
}

TEST_CASE("exec provider reports a script killed by a signal") {
  TempDir dir;
  const auto script = write_script(dir, "kill -TERM $$\n");
  const std::string message =
      challenge_error_of([&] { make_exec_provider(options_for(script))->present(kName, "v"); });
  CHECK(contains(message, "killed by signal 15"));
}

TEST_CASE("exec provider keeps only the end of a long stderr in its message") {
  TempDir dir;
  const auto script =
      write_script(dir,
                   "i=0\nwhile [ $i -lt 400 ]; do echo \"noise line $i\" >&2; i=$((i+1)); done\n"
                   "echo 'the real reason' >&2\nexit 2\n");
  const std::string message =
      challenge_error_of([&] { make_exec_provider(options_for(script))->present(kName, "v"); });
  CHECK(contains(message, "the real reason"));
  CHECK_FALSE(contains(message, "noise line 0\n"));
  CHECK(message.size() < 1000);
}

TEST_CASE("exec provider reads a large output without blocking the script") {
  TempDir dir;
  // 1 MB on each stream: far more than a pipe buffer, so the script would hang if nobody read.
  const auto script = write_script(
      dir, "head -c 1000000 /dev/zero | tr '\\0' o\nhead -c 1000000 /dev/zero | tr '\\0' e >&2\n");
  CHECK_NOTHROW(make_exec_provider(options_for(script))->present(kName, "v"));
}

TEST_CASE("exec provider names a program that cannot be started") {
  TempDir dir;
  const std::string missing = (dir / "no-such-hook").string();
  const std::string message =
      challenge_error_of([&] { make_exec_provider(options_for(missing))->present(kName, "v"); });
  CHECK(contains(message, "cannot start " + missing));
  CHECK(contains(message, "No such file or directory"));
}

TEST_CASE("exec provider looks a bare program name up in PATH") {
  ExecProviderOptions options;
  options.program = "true";
  CHECK_NOTHROW(make_exec_provider(options)->present(kName, "v"));
  options.program = "false";
  CHECK(contains(challenge_error_of([&] { make_exec_provider(options)->cleanup(kName, "v"); }),
                 "exit code 1"));
}

TEST_CASE("exec provider refuses an empty program or a non-positive timeout") {
  ExecProviderOptions options;
  CHECK_THROWS_AS(make_exec_provider(options), Error);
  options.program = "true";
  options.timeout = 0s;
  try {
    make_exec_provider(options);
    FAIL("expected an Error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::config);
    CHECK(contains(error.what(), "timeout"));
  }
}

TEST_CASE("exec provider passes its propagation settings on") {
  ExecProviderOptions options;
  options.program = "true";
  CHECK_FALSE(make_exec_provider(options)->propagation_timeout().has_value());
  options.propagation_timeout = 300s;
  options.polling_interval = 5000ms;
  const auto provider = make_exec_provider(options);
  CHECK(provider->propagation_timeout() == std::chrono::seconds(300));
  CHECK(provider->polling_interval() == std::chrono::milliseconds(5000));
}

TEST_CASE("exec provider reports the script's exit code whatever SIGCHLD's disposition") {
  // With SIGCHLD ignored the kernel reaps children whose exit signal is SIGCHLD at once, and a
  // handler calling waitpid(-1, ...) takes their status: neither may hide a failed update.
  TempDir dir;
  const auto failing = write_script(dir, "echo 'zone locked' >&2\nexit 4\n");
  for (const auto disposition : acmecpp::testing::kSigchldDispositions) {
    CAPTURE(std::string(acmecpp::testing::to_string(disposition)));
    const acmecpp::testing::ScopedSigchld scoped(disposition);
    const auto started = std::chrono::steady_clock::now();
    const std::string message =
        challenge_error_of([&] { make_exec_provider(options_for(failing))->present(kName, "v"); });
    CHECK(contains(message, "exit code 4: zone locked"));
    ExecProviderOptions succeeding;
    succeeding.program = "true";
    CHECK_NOTHROW(make_exec_provider(succeeding)->present(kName, "v"));
    CHECK(std::chrono::steady_clock::now() - started < 8s);
  }
}
