#include "manager/hook_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

#include "acmecpp/error.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::manager {
namespace {

using Clock = std::chrono::steady_clock;
using core::UniqueFd;

// After the shell exits, output still arriving from a process it left in the background is read
// this much longer, not until that process closes the pipe (it may never do so).
constexpr std::chrono::milliseconds kDrainGrace{200};
constexpr std::chrono::milliseconds kPollSlice{50};

struct Pipe {
  UniqueFd read_end, write_end;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw Error(ErrorKind::config,
                std::string("cannot create a pipe for a hook: ") + std::strerror(errno));
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// posix_spawn's helper objects, destroyed whatever happens.
class SpawnSetup {
 public:
  SpawnSetup(const Pipe& out, const Pipe& err) {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attributes_);
    posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions_, out.write_end.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions_, err.write_end.get(), STDERR_FILENO);
    // A process group of its own, so a timeout can kill everything the line started.
    posix_spawnattr_setpgroup(&attributes_, 0);
    // The embedding program may ignore or block signals (SIGPIPE, say); the hook must not inherit
    // that.
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int signal :
         {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2}) {
      sigaddset(&defaults, signal);
    }
    posix_spawnattr_setsigmask(&attributes_, &none);
    posix_spawnattr_setsigdefault(&attributes_, &defaults);
    posix_spawnattr_setflags(
        &attributes_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attributes_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  const posix_spawn_file_actions_t* actions() const { return &actions_; }
  const posix_spawnattr_t* attributes() const { return &attributes_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attributes_;
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// Keeps the last `limit` bytes of a stream.
struct Tail {
  std::size_t limit;
  std::string text;
  void append(const char* data, std::size_t size) {
    text.append(data, size);
    if (text.size() > limit) text.erase(0, text.size() - limit);
  }
};

// Reads what is available from the open pipes for at most `wait`; closes a pipe at EOF.
void read_available(UniqueFd* fds[2], Tail* tails[2], std::chrono::milliseconds wait) {
  pollfd polled[2];
  int count = 0;
  int index_of[2];
  for (int i = 0; i < 2; ++i) {
    if (*fds[i]) {
      polled[count] = {fds[i]->get(), POLLIN, 0};
      index_of[count++] = i;
    }
  }
  if (count == 0) return;
  if (::poll(polled, nfds_t(count), int(wait.count())) <= 0) return;
  for (int p = 0; p < count; ++p) {
    if ((polled[p].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(polled[p].fd, buffer, sizeof buffer);
    if (n > 0) {
      tails[index_of[p]]->append(buffer, std::size_t(n));
    } else if (n == 0 || errno != EINTR) {
      fds[index_of[p]]->reset();
    }
  }
}

std::optional<int> reap_if_ended(pid_t pid) {
  int status = 0;
  const pid_t result = ::waitpid(pid, &status, WNOHANG);
  if (result == pid) return status;
  return std::nullopt;
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

void record_status(int status, HookResult& result) {
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
}

}  // namespace

HookResult run_shell(const std::string& command, const std::vector<std::string>& environment,
                     std::chrono::milliseconds timeout, std::size_t tail_bytes) {
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  pid_t pid = -1;
  {
    SpawnSetup setup(out, err);
    const std::vector<std::string> argv{"/bin/sh", "-c", command};
    auto argv_c = c_strings(argv);
    auto env_c = c_strings(environment);
    const int error = ::posix_spawn(&pid, "/bin/sh", setup.actions(), setup.attributes(),
                                    argv_c.data(), env_c.data());
    if (error != 0) {
      throw Error(ErrorKind::config,
                  std::string("cannot start /bin/sh for a hook: ") + std::strerror(error));
    }
  }
  // Only the child holds the write ends now, so EOF means it (and its children) closed them.
  out.write_end.reset();
  err.write_end.reset();

  HookResult result;
  Tail out_tail{tail_bytes, {}}, err_tail{tail_bytes, {}};
  UniqueFd* fds[2] = {&out.read_end, &err.read_end};
  Tail* tails[2] = {&out_tail, &err_tail};
  const auto deadline = Clock::now() + timeout;
  std::optional<int> status;
  while (!status) {
    if (Clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      status = reap(pid);
      result.timed_out = true;
      break;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto slice = std::min(left, kPollSlice);
    if (*fds[0] || *fds[1]) {
      read_available(fds, tails, slice);
    } else {
      // The line closed its output but runs on: only the deadline or its exit ends the wait.
      std::this_thread::sleep_for(std::min(slice, std::chrono::milliseconds(5)));
    }
    status = reap_if_ended(pid);
  }
  const auto drain_until = Clock::now() + kDrainGrace;
  while ((*fds[0] || *fds[1]) && Clock::now() < drain_until) {
    read_available(fds, tails, kPollSlice);
  }
  record_status(*status, result);
  result.stdout_tail = std::move(out_tail.text);
  result.stderr_tail = std::move(err_tail.text);
  return result;
}

}  // namespace acmecpp::manager
