// ChildProcess: a background program owned by a test.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "acmecpp/error.hpp"
#include "core/unique_fd.hpp"
#include "support/process.hpp"
#include "support/spawn.hpp"

namespace acmecpp::testing {

using core::UniqueFd;

namespace {

UniqueFd open_output(const std::filesystem::path& output_file) {
  const int fd = output_file.empty()
                     ? ::open("/dev/null", O_WRONLY | O_CLOEXEC)
                     : ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Error(ErrorKind::invalid_input,
                "cannot open " + output_file.string() + " for output: " + std::strerror(errno));
  }
  return UniqueFd(fd);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const ProcessOptions& options,
                           const std::filesystem::path& output_file) {
  const UniqueFd in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const UniqueFd out = open_output(output_file);
  pid_ = detail::spawn(argv, options, {in.get(), out.get(), out.get()});
}

ChildProcess::~ChildProcess() {
  kill_and_reap();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

void ChildProcess::kill(int signal) {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

std::optional<ExitStatus> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0 || status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!(status_ = detail::try_reap(pid_))) {
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

bool ChildProcess::running() {
  return pid_ > 0 && !wait(std::chrono::milliseconds(0));
}

void ChildProcess::kill_and_reap() noexcept {
  if (pid_ <= 0 || status_) return;
  // Reaping last keeps the PID (and so the group ID) from being reused while we signal it.
  detail::kill_group(pid_);
  status_ = detail::reap(pid_);
}

}  // namespace acmecpp::testing
