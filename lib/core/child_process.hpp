// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one way acmecpp starts programs: hooks, the exec DNS provider and the tests' helpers all
// come here. argv only (no shell unless the caller names one), an environment given whole or as
// changes to ours, the child in a process group of its own, and an exit status that is right
// whatever the embedding program does with SIGCHLD (default, a handler that reaps every child
// with waitpid(-1, ...), SIG_IGN or SA_NOCLDWAIT). How that is achieved is told in
// child_process.cpp. Linux 5.4 or later (pidfd).

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/error.hpp"

namespace acmecpp::core {

/// The child's environment.
struct ChildEnvironment {
  /// Start from this process's environment (true) or from nothing but `set` (false).
  bool inherit = true;
  /// Inherited variables left out: a name, or a prefix followed by '*' ("ACMECPP_*").
  std::vector<std::string> remove;
  /// Added, replacing inherited variables of the same name.
  std::map<std::string, std::string> set;
};

/// What to start.
struct ChildSpec {
  /// argv[0] is the program: looked up in PATH (of this process) when it holds no '/'.
  std::vector<std::string> argv;
  ChildEnvironment environment;
  /// Working directory of the child; empty: ours.
  std::filesystem::path working_dir;
};

/// How a child ended: exit_code >= 0 when it exited, term_signal != 0 when a signal ended it.
struct ChildStatus {
  int exit_code = -1;
  int term_signal = 0;
};

/// The program could not be started: argv empty, not found, not executable, arguments and
/// environment too large (E2BIG), no descriptors or processes left. Distinct from a program that
/// ran and failed. Kind config: it is nearly always a wrong path, mode or setting.
class ChildStartError : public Error {
 public:
  ChildStartError(std::string message, int error_number)
      : Error(ErrorKind::config, std::move(message)), error_number_(error_number) {}
  /// errno of the failed step (0 when argv was empty).
  int error_number() const noexcept { return error_number_; }

 private:
  int error_number_;
};

/// Descriptors that become the child's stdin, stdout and stderr; -1: /dev/null. They may be
/// close-on-exec: the child gets copies.
struct ChildStdio {
  int in = -1;
  int out = -1;
  int err = -1;
};

/// A started program, owned: destroying it kills its process group (SIGKILL) and collects its
/// status if it still runs. Move-only. Behind it is a small starter process (see
/// child_process.cpp): the program is the starter's child and the starter ours.
class RunningChild {
 public:
  /// Starts `spec`; throws ChildStartError when it cannot (exec failures included: they are
  /// reported back before this returns).
  static RunningChild start(const ChildSpec& spec, const ChildStdio& stdio = {});

  RunningChild(RunningChild&& other) noexcept;
  RunningChild& operator=(RunningChild&& other) noexcept;
  RunningChild(const RunningChild&) = delete;
  RunningChild& operator=(const RunningChild&) = delete;
  ~RunningChild();

  /// The program's PID.
  pid_t pid() const noexcept { return pid_; }
  /// Becomes readable (POLLIN) when the program has ended; -1 once its status is collected.
  int ended_fd() const noexcept { return report_fd_; }
  /// The status once collected.
  const std::optional<ChildStatus>& status() const noexcept { return status_; }

  /// Sends `signal` to the program alone (not its group); nothing once it has ended.
  void signal(int signal) noexcept;
  /// SIGKILL to the program's process group and to the program (in case it left the group);
  /// nothing once its status is collected.
  void kill_group() noexcept;
  /// Waits up to `timeout` for the program to end and collects its status, or nullopt while it
  /// still runs. Once collected, returns the same status again at once.
  std::optional<ChildStatus> wait(std::chrono::milliseconds timeout);
  /// kill_group(), then waits a few seconds for the group to be gone. A process that does not
  /// go even then (stuck in the kernel) is left behind: no wait here is unbounded.
  void kill_and_reap() noexcept;

 private:
  RunningChild(int pidfd, int report_fd) noexcept : pidfd_(pidfd), report_fd_(report_fd) {}
  void close_descriptors() noexcept;

  pid_t pid_ = -1;      // the program
  int pidfd_ = -1;      // the starter's
  int report_fd_ = -1;  // what the starter says
  std::optional<ChildStatus> status_;
};

struct ChildRunOptions {
  /// Written to the child's stdin, then end of file. Empty: stdin is /dev/null.
  std::string stdin_data;
  /// When it expires, the child's process group gets SIGKILL (see child_process.cpp for why
  /// not SIGTERM first) and the result says timed_out.
  std::chrono::milliseconds timeout{std::chrono::minutes(1)};
  /// At most this many bytes of each of stdout and stderr are kept: the last ones, where a
  /// program says what went wrong. What came before is dropped and counted.
  std::size_t output_cap = 64 * 1024;
  /// After the child has exited, how long to keep reading output a process it left behind still
  /// writes (it may hold the pipes open for ever).
  std::chrono::milliseconds output_grace{std::chrono::milliseconds(500)};
};

struct ChildRunResult : ChildStatus {
  /// Non-empty when the program never ran: what failed and errno's text, e.g. "cannot start
  /// /usr/local/bin/x: No such file or directory". Then nothing below means anything.
  std::string start_error;
  int start_errno = 0;
  bool timed_out = false;       ///< the timeout expired and the group was killed
  std::string out;              ///< the end of stdout, at most output_cap bytes
  std::string err;              ///< the end of stderr, at most output_cap bytes
  std::size_t out_dropped = 0;  ///< bytes of stdout cut from the front (0: `out` is whole)
  std::size_t err_dropped = 0;  ///< bytes of stderr cut from the front (0: `err` is whole)

  bool started() const noexcept { return start_error.empty(); }
  /// Started, exited with 0, in time.
  bool succeeded() const noexcept { return started() && !timed_out && exit_code == 0; }
};

/// Starts `spec`, feeds stdin, collects output, enforces the timeout, reaps the child. A start
/// failure is reported in the result (start_error), not thrown; waits are bounded by the
/// timeout plus the output grace plus a few seconds for a killed child to go away.
ChildRunResult run_child(const ChildSpec& spec, const ChildRunOptions& options = {});

}  // namespace acmecpp::core
