#pragma once
// The one place test helpers start and reap processes (shared by run_process and ChildProcess).

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace acmecpp::testing::detail {

/// Descriptors that become the child's stdin, stdout and stderr.
struct ChildStdio {
  int in = -1;
  int out = -1;
  int err = -1;
};

/// posix_spawnp in a new process group, with default signal dispositions, an empty signal mask,
/// the environment and working directory of `options`. Throws acmecpp::Error(invalid_input).
pid_t spawn(const std::vector<std::string>& argv, const ProcessOptions& options,
            const ChildStdio& stdio);

/// Reaps `pid` if it has ended; nullopt while it runs.
std::optional<ExitStatus> try_reap(pid_t pid);
/// Blocks until `pid` ends and reaps it.
ExitStatus reap(pid_t pid);
/// SIGKILL to the process group led by `pid`, and to `pid` itself in case it left the group.
void kill_group(pid_t pid) noexcept;

}  // namespace acmecpp::testing::detail
