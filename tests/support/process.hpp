// SPDX-License-Identifier: Apache-2.0
#pragma once
// Running programs from tests: argv vectors only (no shell parses anything), captured output,
// timeouts, and background children that are killed and reaped when their owner goes away.

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/child_process.hpp"

namespace acmecpp::testing {

struct ProcessOptions {
  /// Added to the test's own environment, replacing variables of the same name.
  std::map<std::string, std::string> env;
  /// Removed from the inherited environment (unless also set in `env`).
  std::vector<std::string> unset_env;
  /// Working directory of the child; empty: the test's.
  std::filesystem::path working_dir;
  /// run_process only: written to the child's stdin, then EOF. Empty: stdin is /dev/null.
  std::string stdin_data;
  /// run_process only: when it expires the child's whole process group gets SIGKILL.
  std::chrono::milliseconds timeout{60000};
};

/// exit_code (or -1 when a signal ended the process) and term_signal (or 0).
using ExitStatus = core::ChildStatus;
/// The status, timed_out, and out/err: what the process wrote to stdout and stderr (whole up to
/// 64 MiB each; past that the end, with out_dropped/err_dropped counting what was cut).
using ProcessResult = core::ChildRunResult;

/// Runs argv[0] (looked up in PATH when it has no '/') in its own process group, waits for it and
/// returns its status and output. If the process exits while a grandchild still holds its stdout
/// or stderr open, output is collected for a short grace period only, so a daemonizing script
/// cannot hang the test. Throws core::ChildStartError (an acmecpp::Error) when argv is empty or
/// the program cannot be started; a timeout is reported in the result, not thrown. Through the
/// library's one child-process runner (core/child_process.hpp).
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// True while `pid` names a process that has not ended. A zombie (ended, not yet reaped by its
/// parent) counts as ended: servers started by pebble/start.sh are reaped by init, not by us.
bool process_alive(pid_t pid);
/// Waits (polling /proc) up to `limit` for process_alive(pid) to turn false; false if it did not.
bool ends_within(pid_t pid, std::chrono::milliseconds limit);

/// A program running in the background, in its own process group (a core::RunningChild). stdin
/// is /dev/null; stdout and stderr are appended to `output_file`, or discarded when it is empty.
/// `timeout` and `stdin_data` of the options are not used.
class ChildProcess {
 public:
  /// Throws core::ChildStartError (an acmecpp::Error) when argv is empty or the program cannot
  /// be started.
  explicit ChildProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {},
                        const std::filesystem::path& output_file = {});
  /// If still running: SIGKILL to the whole process group, then reaps the child.
  ~ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept = default;
  ChildProcess& operator=(ChildProcess&& other) noexcept = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return child_ ? child_->pid() : -1; }
  /// Sends `signal` to the child (not its group); no-op once the child has been reaped.
  void kill(int signal = SIGTERM);
  /// Waits up to `timeout` for the child to end and reaps it. Its status, or nullopt while it
  /// still runs. Once reaped, returns the same status again at once.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  /// True until the child has ended (reaps it when it has).
  bool running();

 private:
  std::optional<core::RunningChild> child_;
};

}  // namespace acmecpp::testing
