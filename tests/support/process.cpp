// SPDX-License-Identifier: Apache-2.0
// run_process and ChildProcess: the tests' way to start programs, on the library's one runner
// (core/child_process.hpp).

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "acmecpp/error.hpp"
#include "core/unique_fd.hpp"
#include "support/process.hpp"

namespace acmecpp::testing {
namespace {

/// After the child exits, how long to keep reading from pipes a grandchild may still hold open.
constexpr std::chrono::milliseconds kOutputGraceAfterExit{2000};
/// Enough for any output a test looks at, bounded all the same.
constexpr std::size_t kOutputCap = 64 * 1024 * 1024;

core::ChildSpec spec_of(const std::vector<std::string>& argv, const ProcessOptions& options) {
  core::ChildSpec spec;
  spec.argv = argv;
  spec.environment.remove = options.unset_env;
  spec.environment.set = options.env;
  spec.working_dir = options.working_dir;
  return spec;
}

core::UniqueFd open_output(const std::filesystem::path& output_file) {
  const int fd = output_file.empty()
                     ? ::open("/dev/null", O_WRONLY | O_CLOEXEC)
                     : ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Error(ErrorKind::invalid_input,
                "cannot open " + output_file.string() + " for output: " + std::strerror(errno));
  }
  return core::UniqueFd(fd);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  core::ChildRunOptions run;
  run.stdin_data = options.stdin_data;
  run.timeout = options.timeout;
  run.output_cap = kOutputCap;
  run.output_grace = kOutputGraceAfterExit;
  ProcessResult result = core::run_child(spec_of(argv, options), run);
  if (!result.started()) throw core::ChildStartError(result.start_error, result.start_errno);
  return result;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const ProcessOptions& options,
                           const std::filesystem::path& output_file) {
  const core::UniqueFd out = open_output(output_file);
  child_.emplace(core::RunningChild::start(spec_of(argv, options), {-1, out.get(), out.get()}));
}

void ChildProcess::kill(int signal) {
  if (child_) child_->signal(signal);
}

std::optional<ExitStatus> ChildProcess::wait(std::chrono::milliseconds timeout) {
  return child_ ? child_->wait(timeout) : std::nullopt;
}

bool ChildProcess::running() {
  return child_ && !wait(std::chrono::milliseconds(0));
}

}  // namespace acmecpp::testing
