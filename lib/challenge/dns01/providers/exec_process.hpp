#pragma once
// Running the exec provider's program: argv only (no shell), stdin from /dev/null, stdout and
// stderr captured (their last few KiB), a deadline after which the whole process group dies.

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace acmecpp::dns01::exec {

/// How a run ended. Exactly one of: exited (exit_code >= 0), killed by a signal
/// (term_signal != 0), timed_out, or status_lost.
struct ProgramOutcome {
  int exit_code = -1;
  int term_signal = 0;
  bool timed_out = false;
  /// Someone else reaped the program (the embedding program ignores SIGCHLD, or waits for any
  /// child): it ended, but whether it succeeded is unknown.
  bool status_lost = false;
  std::string stdout_tail;  ///< the last bytes the program wrote to stdout
  std::string stderr_tail;  ///< the last bytes the program wrote to stderr
};

/// At most this much of each output stream is kept: enough for an error message, and a chatty
/// program cannot fill our memory.
constexpr std::size_t kOutputTailBytes = 4096;

/// Runs argv[0] (looked up in PATH when it has no '/') in its own process group, with our
/// environment plus `env`, and waits for it. On timeout the group gets SIGKILL and the outcome
/// says timed_out. Throws ChallengeError naming the program when it cannot be started.
ProgramOutcome run_program(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           std::chrono::milliseconds timeout);

}  // namespace acmecpp::dns01::exec
