// SPDX-License-Identifier: Apache-2.0
// The one child-process runner (core/child_process): real processes, each case under every
// SIGCHLD disposition an embedding program may have chosen (default, a handler reaping with
// waitpid(-1, WNOHANG), SIG_IGN, SA_NOCLDWAIT), the disposition restored after each.

#include <doctest/doctest.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <string>

#include "core/child_process.hpp"
#include "support/process.hpp"
#include "support/sigchld.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

core::ChildRunResult run(std::vector<std::string> argv, core::ChildRunOptions options = {}) {
  core::ChildSpec spec;
  spec.argv = std::move(argv);
  return core::run_child(spec, options);
}

core::ChildRunResult shell(const std::string& line, core::ChildRunOptions options = {}) {
  return run({"/bin/sh", "-c", line}, std::move(options));
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("run_child reports exit 0, exit 3 and a killing signal under every SIGCHLD disposition") {
  for (const auto disposition : kSigchldDispositions) {
    CAPTURE(std::string(to_string(disposition)));
    const ScopedSigchld scoped(disposition);
    core::ChildRunOptions options;
    options.timeout = 20s;
    const auto started = Clock::now();

    const auto ok = shell("exit 0", options);
    CHECK(ok.started());
    CHECK(ok.succeeded());
    CHECK(ok.exit_code == 0);
    CHECK(ok.term_signal == 0);

    const auto three = shell("echo out; echo err >&2; exit 3", options);
    CHECK(three.exit_code == 3);
    CHECK(three.term_signal == 0);
    CHECK_FALSE(three.timed_out);
    CHECK_FALSE(three.succeeded());
    CHECK(three.out == "out\n");
    CHECK(three.err == "err\n");

    const auto killed = shell("kill -USR2 $$", options);
    CHECK(killed.term_signal == SIGUSR2);
    CHECK(killed.exit_code == -1);
    CHECK_FALSE(killed.timed_out);

    // None of them waited for the timeout to find out.
    CHECK(Clock::now() - started < 10s);
  }
}

TEST_CASE(
    "run_child kills the whole process group at the timeout under every SIGCHLD disposition") {
  for (const auto disposition : kSigchldDispositions) {
    CAPTURE(std::string(to_string(disposition)));
    const ScopedSigchld scoped(disposition);
    core::ChildRunOptions options;
    options.timeout = 300ms;
    const auto started = Clock::now();
    // The shell prints its background child's PID and waits: the grandchild would outlive a kill
    // of the shell alone.
    const auto result = shell("sleep 30 & echo $!; wait", options);
    CHECK(Clock::now() - started < 10s);
    CHECK(result.timed_out);
    CHECK(result.term_signal == SIGKILL);
    CHECK_FALSE(result.succeeded());
    REQUIRE_FALSE(result.out.empty());
    const pid_t grandchild = static_cast<pid_t>(std::stol(result.out));
    CHECK(ends_within(grandchild, 5s));
  }
}

TEST_CASE("run_child keeps the end of a long output within the cap and says how much it cut") {
  for (const auto disposition : kSigchldDispositions) {
    CAPTURE(std::string(to_string(disposition)));
    const ScopedSigchld scoped(disposition);
    core::ChildRunOptions options;
    options.output_cap = 1000;
    // 100,000 bytes then "END" on stdout, more than a pipe holds; a short stderr, kept whole.
    const auto result =
        shell("head -c 100000 /dev/zero | tr '\\0' a; printf END; printf short >&2", options);
    CHECK(result.exit_code == 0);
    CHECK(result.out.size() == 1000);
    CHECK(result.out.substr(997) == "END");
    CHECK(result.out.substr(0, 997) == std::string(997, 'a'));
    CHECK(result.out_dropped == 100003 - 1000);
    CHECK(result.err == "short");
    CHECK(result.err_dropped == 0);
  }
}

TEST_CASE("run_child reports a program that cannot start, apart from one that failed") {
  TempDir dir;
  const std::string not_executable = (dir / "not-executable.sh").string();
  write_text_file(not_executable, "#!/bin/sh\nexit 0\n");
  REQUIRE(::chmod(not_executable.c_str(), 0600) == 0);
  for (const auto disposition : kSigchldDispositions) {
    CAPTURE(std::string(to_string(disposition)));
    const ScopedSigchld scoped(disposition);

    const auto missing = run({(dir / "no-such-program").string()});
    CHECK_FALSE(missing.started());
    CHECK(missing.start_errno == ENOENT);
    CHECK(contains(missing.start_error, "cannot start " + (dir / "no-such-program").string()));
    CHECK(contains(missing.start_error, "No such file or directory"));
    CHECK(missing.exit_code == -1);
    CHECK_FALSE(missing.succeeded());

    const auto not_in_path = run({"acmecpp-no-such-program-anywhere"});
    CHECK(not_in_path.start_errno == ENOENT);

    const auto denied = run({not_executable});
    CHECK(denied.start_errno == EACCES);
    CHECK(contains(denied.start_error, "Permission denied"));

    // One environment string over the kernel's 128 KiB limit.
    core::ChildSpec huge;
    huge.argv = {"/bin/true"};
    huge.environment.set["ACMECPP_HUGE"] = std::string(200 * 1024, 'x');
    const auto too_big = core::run_child(huge);
    CHECK(too_big.start_errno == E2BIG);
    CHECK(contains(too_big.start_error, "Argument list too long"));

    core::ChildSpec elsewhere;
    elsewhere.argv = {"/bin/true"};
    elsewhere.working_dir = dir / "no-such-directory";
    const auto no_dir = core::run_child(elsewhere);
    CHECK(no_dir.start_errno == ENOENT);
    CHECK(contains(no_dir.start_error, "working directory"));

    CHECK_FALSE(run({}).started());

    try {
      core::RunningChild::start(huge);
      FAIL("expected ChildStartError");
    } catch (const core::ChildStartError& e) {
      CHECK(e.error_number() == E2BIG);
      CHECK(e.kind() == ErrorKind::config);
    }
  }
}

TEST_CASE("run_child passes argv without a shell, stdin text, and the environment given") {
  const auto literal = run({"printf", "%s", "a; echo injected $(id) 'q'"});
  CHECK(literal.out == "a; echo injected $(id) 'q'");

  core::ChildRunOptions with_input;
  with_input.stdin_data = std::string(300000, 'i') + "\nlast line\n";
  const auto echoed = run({"tail", "-n", "1"}, with_input);
  CHECK(echoed.out == "last line\n");
  CHECK(run({"cat"}).out.empty());  // no stdin text: /dev/null

  ::setenv("ACMECPP_TEST_INHERITED", "inherited", 1);
  ::setenv("ACMECPP_TEST_DROPPED_ONE", "dropped", 1);
  core::ChildSpec additions;
  additions.argv = {"/bin/sh", "-c",
                    "printf '%s|%s|%s' \"$ACMECPP_TEST_INHERITED\" \"$ACMECPP_TEST_ADDED\" "
                    "\"${ACMECPP_TEST_DROPPED_ONE-unset}\""};
  additions.environment.remove = {"ACMECPP_TEST_DROPPED_*"};
  additions.environment.set["ACMECPP_TEST_ADDED"] = "added";
  const auto added = core::run_child(additions);
  core::ChildSpec whole = additions;
  whole.environment.inherit = false;
  const auto only_given = core::run_child(whole);
  ::unsetenv("ACMECPP_TEST_INHERITED");
  ::unsetenv("ACMECPP_TEST_DROPPED_ONE");
  CHECK(added.out == "inherited|added|unset");
  CHECK(only_given.out == "|added|unset");
}

TEST_CASE("run_child gives the program default signal dispositions and an empty mask") {
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  sigset_t blocked, old_mask;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &blocked, &old_mask);
  // /proc/self/status of the program: SigIgn and SigBlk are bit masks in hex.
  const auto status = run({"grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"});
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGPIPE, &previous, nullptr);
  CHECK(status.out == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

TEST_CASE("a SIGCHLD handler reaping with waitpid(-1) cannot take a RunningChild's status") {
  const ScopedSigchld scoped(SigchldDisposition::reaping_handler);
  core::ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", "exit 3"};
  auto child = core::RunningChild::start(spec);
  // Wait until it has ended without collecting its status, then let the handler and a plain
  // waitpid(-1) loose while the processes behind it are zombies.
  pollfd ended{child.ended_fd(), POLLIN, 0};
  REQUIRE(::poll(&ended, 1, 10000) == 1);
  ::kill(::getpid(), SIGCHLD);
  CHECK(::waitpid(-1, nullptr, WNOHANG) <= 0);
  const auto status = child.wait(10s);
  REQUIRE(status.has_value());
  CHECK(status->exit_code == 3);
}

TEST_CASE("RunningChild reports a status under every SIGCHLD disposition and kills on drop") {
  for (const auto disposition : kSigchldDispositions) {
    CAPTURE(std::string(to_string(disposition)));
    const ScopedSigchld scoped(disposition);
    core::ChildSpec spec;
    spec.argv = {"sleep", "30"};
    auto sleeper = core::RunningChild::start(spec);
    CHECK_FALSE(sleeper.wait(50ms).has_value());
    sleeper.signal(SIGTERM);
    const auto status = sleeper.wait(10s);
    REQUIRE(status.has_value());
    CHECK(status->term_signal == SIGTERM);
    CHECK(sleeper.wait(0ms)->term_signal == SIGTERM);  // the same again once reaped

    pid_t dropped = -1;
    {
      auto child = core::RunningChild::start(spec);
      dropped = child.pid();
      CHECK(process_alive(dropped));
    }
    CHECK_FALSE(process_alive(dropped));
  }
}
