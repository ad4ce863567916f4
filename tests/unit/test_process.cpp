// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <unistd.h>

#include "acmecpp/error.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

std::chrono::milliseconds elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

}  // namespace

TEST_CASE("run_process reports the exit code") {
  CHECK(run_process({"true"}).exit_code == 0);
  const ProcessResult result = run_process({"sh", "-c", "exit 3"});
  CHECK(result.exit_code == 3);
  CHECK(result.term_signal == 0);
  CHECK_FALSE(result.timed_out);
}

TEST_CASE("run_process captures stdout and stderr separately") {
  const ProcessResult result = run_process({"sh", "-c", "printf 'to out'; printf 'to err' >&2"});
  CHECK(result.out == "to out");
  CHECK(result.err == "to err");
}

TEST_CASE("run_process collects more output than a pipe buffer holds") {
  const ProcessResult result = run_process({"head", "-c", "1000000", "/dev/zero"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.size() == 1000000);
}

TEST_CASE("run_process passes argv literally, without a shell") {
  const ProcessResult result = run_process({"printf", "%s", "a; echo injected $(id) 'q'"});
  CHECK(result.out == "a; echo injected $(id) 'q'");
}

TEST_CASE("run_process feeds stdin_data and then end of file") {
  ProcessOptions options;
  options.stdin_data = std::string(300000, 'x') + "end";
  const ProcessResult result = run_process({"cat"}, options);
  CHECK(result.exit_code == 0);
  CHECK(result.out == options.stdin_data);
}

TEST_CASE("run_process survives a child that does not read its stdin") {
  ProcessOptions options;
  options.stdin_data = std::string(1000000, 'x');
  const ProcessResult result = run_process({"true"}, options);
  CHECK(result.exit_code == 0);
}

TEST_CASE("run_process gives the child /dev/null as stdin by default") {
  const ProcessResult result = run_process({"cat"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
}

TEST_CASE("run_process sets and removes environment variables") {
  REQUIRE(::setenv("ACMECPP_TEST_INHERITED", "inherited", 1) == 0);
  REQUIRE(::setenv("ACMECPP_TEST_REMOVED", "should not be seen", 1) == 0);
  ProcessOptions options;
  options.env["ACMECPP_TEST_ADDED"] = "with spaces & $symbols";
  options.env["ACMECPP_TEST_INHERITED"] = "overridden";
  options.unset_env = {"ACMECPP_TEST_REMOVED"};
  const ProcessResult result =
      run_process({"sh", "-c",
                   "printf '%s|%s|%s' \"$ACMECPP_TEST_ADDED\" \"$ACMECPP_TEST_INHERITED\" "
                   "\"${ACMECPP_TEST_REMOVED-unset}\""},
                  options);
  CHECK(result.out == "with spaces & $symbols|overridden|unset");
  // The rest of the environment is inherited.
  CHECK(run_process({"sh", "-c", "printf %s \"$ACMECPP_TEST_REMOVED\""}).out ==
        "should not be seen");
  ::unsetenv("ACMECPP_TEST_INHERITED");
  ::unsetenv("ACMECPP_TEST_REMOVED");
}

TEST_CASE("run_process runs in the requested working directory") {
  TempDir dir;
  ProcessOptions options;
  options.working_dir = dir.path();
  const ProcessResult result = run_process({"pwd", "-P"}, options);
  CHECK(result.out == std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST_CASE("run_process kills a process that outlives its timeout, with its children") {
  ProcessOptions options;
  options.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  // The shell prints its background child's PID, then waits: both must die.
  const ProcessResult result = run_process({"sh", "-c", "sleep 30 & echo $!; wait"}, options);
  CHECK(elapsed_since(start) < 10s);
  CHECK(result.timed_out);
  CHECK(result.term_signal == SIGKILL);
  CHECK(result.exit_code == -1);
  const pid_t grandchild = static_cast<pid_t>(std::stol(result.out));
  CHECK(ends_within(grandchild, 5s));
}

TEST_CASE("run_process returns when the child exits even if a grandchild keeps stdout open") {
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult result = run_process({"sh", "-c", "sleep 30 & echo $!"});
  CHECK(elapsed_since(start) < 10s);
  CHECK(result.exit_code == 0);
  CHECK_FALSE(result.timed_out);
  const pid_t grandchild = static_cast<pid_t>(std::stol(result.out));
  ::kill(grandchild, SIGKILL);
}

TEST_CASE("run_process reports a signal that ended the process") {
  const ProcessResult result = run_process({"sh", "-c", "kill -TERM $$"});
  CHECK(result.term_signal == SIGTERM);
  CHECK(result.exit_code == -1);
}

TEST_CASE("run_process refuses an empty argv and names a program it cannot start") {
  CHECK_THROWS_AS(run_process({}), acmecpp::Error);
  CHECK_THROWS_WITH(run_process({"/nonexistent/acmecpp-no-such-program"}),
                    doctest::Contains("/nonexistent/acmecpp-no-such-program"));
}

TEST_CASE("ChildProcess runs in the background until killed") {
  ChildProcess child({"sleep", "30"});
  CHECK(child.pid() > 0);
  CHECK(child.running());
  CHECK_FALSE(child.wait(50ms).has_value());
  child.kill(SIGTERM);
  const auto status = child.wait(5s);
  REQUIRE(status.has_value());
  CHECK(status->term_signal == SIGTERM);
  CHECK_FALSE(child.running());
  CHECK_FALSE(process_alive(child.pid()));
}

TEST_CASE("ChildProcess reports the exit code and writes its output to the file") {
  TempDir dir;
  ChildProcess child({"sh", "-c", "echo out; echo err >&2; exit 4"}, {}, dir / "output.log");
  const auto status = child.wait(10s);
  REQUIRE(status.has_value());
  CHECK(status->exit_code == 4);
  CHECK(read_text_file(dir / "output.log") == "out\nerr\n");
}

TEST_CASE("ChildProcess passes environment variables") {
  TempDir dir;
  ProcessOptions options;
  options.env["ACMECPP_TEST_CHILD"] = "child value";
  ChildProcess child({"sh", "-c", "printf %s \"$ACMECPP_TEST_CHILD\""}, options, dir / "out");
  REQUIRE(child.wait(10s).has_value());
  CHECK(read_text_file(dir / "out") == "child value");
}

TEST_CASE("ChildProcess kills and reaps its process when destroyed") {
  pid_t pid = -1;
  {
    ChildProcess child({"sleep", "30"});
    pid = child.pid();
    CHECK(process_alive(pid));
  }
  CHECK_FALSE(process_alive(pid));
}

TEST_CASE("process_alive is false for nonsense PIDs and true for this process") {
  CHECK(process_alive(::getpid()));
  CHECK_FALSE(process_alive(-1));
  CHECK_FALSE(process_alive(0));
}
