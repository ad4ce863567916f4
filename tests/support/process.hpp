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

struct ExitStatus {
  int exit_code = -1;   ///< the value given to exit(), or -1 when a signal ended the process
  int term_signal = 0;  ///< the signal that ended the process, or 0 when it exited
};

struct ProcessResult : ExitStatus {
  bool timed_out = false;  ///< the timeout expired and the process was killed
  std::string out;         ///< everything the process wrote to stdout
  std::string err;         ///< everything the process wrote to stderr
};

/// Runs argv[0] (looked up in PATH when it has no '/') in its own process group, waits for it and
/// returns its status and output. If the process exits while a grandchild still holds its stdout
/// or stderr open, output is collected for a short grace period only, so a daemonizing script
/// cannot hang the test. Throws acmecpp::Error(invalid_input) when argv is empty or the program
/// cannot be started; a timeout is reported in the result, not thrown.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// True while `pid` names a process that has not ended. A zombie (ended, not yet reaped by its
/// parent) counts as ended: servers started by pebble/start.sh are reaped by init, not by us.
bool process_alive(pid_t pid);

/// A program running in the background, in its own process group. stdin is /dev/null; stdout and
/// stderr are appended to `output_file`, or discarded when it is empty. `timeout` and
/// `stdin_data` of the options are not used.
class ChildProcess {
 public:
  /// Throws acmecpp::Error(invalid_input) when argv is empty or the program cannot be started.
  explicit ChildProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {},
                        const std::filesystem::path& output_file = {});
  /// If still running: SIGKILL to the whole process group, then reaps the child.
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  /// Sends `signal` to the child (not its group); no-op once the child has been reaped.
  void kill(int signal = SIGTERM);
  /// Waits up to `timeout` for the child to end and reaps it. Its status, or nullopt while it
  /// still runs. Once reaped, returns the same status again at once.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  /// True until the child has ended (reaps it when it has).
  bool running();

 private:
  void kill_and_reap() noexcept;

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

}  // namespace acmecpp::testing
