// run_process: start, feed stdin, collect stdout and stderr, enforce the timeout.

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "acmecpp/error.hpp"
#include "core/unique_fd.hpp"
#include "support/process.hpp"
#include "support/spawn.hpp"

namespace acmecpp::testing {

using core::UniqueFd;

namespace {

using Clock = std::chrono::steady_clock;

// After the child exits, how long to keep reading from pipes a grandchild may still hold open.
constexpr std::chrono::milliseconds output_grace_after_exit{2000};
// How often the loop checks whether the child has exited while no output arrives.
constexpr int poll_interval_ms = 20;

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw Error(ErrorKind::invalid_input, std::string("pipe2 failed: ") + std::strerror(errno));
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// A socket pair rather than a pipe: send() with MSG_NOSIGNAL reports a child that stopped
// reading as EPIPE instead of killing the test with SIGPIPE.
Pipe make_stdin_channel(bool has_data) {
  if (!has_data) {
    return Pipe{UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)), UniqueFd()};
  }
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    throw Error(ErrorKind::invalid_input,
                std::string("socketpair failed: ") + std::strerror(errno));
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Appends what is available; closes the descriptor at end of file or on error.
void read_available(UniqueFd& fd, std::string& sink) {
  char buffer[8192];
  const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
  if (n > 0) {
    sink.append(buffer, static_cast<std::size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    fd.reset();
  }
}

// Sends the next chunk of stdin; closes the channel (EOF for the child) when all is sent or the
// child no longer reads.
void write_available(UniqueFd& fd, const std::string& data, std::size_t& written) {
  const ssize_t n =
      ::send(fd.get(), data.data() + written, data.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n > 0) written += static_cast<std::size_t>(n);
  if ((n < 0 && errno != EINTR && errno != EAGAIN) || written == data.size()) fd.reset();
}

class OutputCollector {
 public:
  OutputCollector(UniqueFd out, UniqueFd err, UniqueFd in, const std::string& stdin_data)
      : out_(std::move(out)), err_(std::move(err)), in_(std::move(in)), stdin_data_(stdin_data) {}

  bool open() const { return out_ || err_; }

  // Waits at most `wait` for activity and handles what is ready.
  void step(ProcessResult& result, std::chrono::milliseconds wait) {
    pollfd fds[3] = {{out_.get(), POLLIN, 0}, {err_.get(), POLLIN, 0}, {in_.get(), POLLOUT, 0}};
    // poll ignores negative descriptors, so closed channels simply drop out.
    const int ready = ::poll(fds, 3, static_cast<int>(wait.count()));
    if (ready <= 0) return;
    if (fds[0].revents != 0) read_available(out_, result.out);
    if (fds[1].revents != 0) read_available(err_, result.err);
    if (fds[2].revents != 0) write_available(in_, stdin_data_, stdin_written_);
  }

 private:
  UniqueFd out_;
  UniqueFd err_;
  UniqueFd in_;
  const std::string& stdin_data_;
  std::size_t stdin_written_ = 0;
};

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  Pipe in = make_stdin_channel(!options.stdin_data.empty());
  // For stdin the child reads `read_end`; for a socket pair either end works both ways.
  const pid_t pid =
      detail::spawn(argv, options, {in.read_end.get(), out.write_end.get(), err.write_end.get()});
  out.write_end.reset();
  err.write_end.reset();
  in.read_end.reset();

  ProcessResult result;
  OutputCollector collector(std::move(out.read_end), std::move(err.read_end),
                            std::move(in.write_end), options.stdin_data);
  const Clock::time_point deadline = Clock::now() + options.timeout;
  std::optional<Clock::time_point> exited_at;
  while (!exited_at || (collector.open() && Clock::now() - *exited_at < output_grace_after_exit)) {
    if (!exited_at) {
      if (auto status = detail::try_reap(pid)) {
        static_cast<ExitStatus&>(result) = *status;
        exited_at = Clock::now();
      } else if (Clock::now() >= deadline) {
        detail::kill_group(pid);
        static_cast<ExitStatus&>(result) = detail::reap(pid);
        result.timed_out = true;
        exited_at = Clock::now();
      }
    }
    collector.step(result, std::chrono::milliseconds(poll_interval_ms));
  }
  return result;
}

}  // namespace acmecpp::testing
