#include "challenge/dns01/providers/exec_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <thread>
#include <utility>

#include "acmecpp/error.hpp"

extern char** environ;

namespace acmecpp::dns01::exec {
namespace {

using Clock = std::chrono::steady_clock;

/// Once the program has exited, how long to keep reading output that a process it left behind
/// may still hold open: long enough for the last writes to arrive, short enough that a script
/// starting a daemon does not make every call slow.
constexpr std::chrono::milliseconds kOutputGraceAfterExit{500};
/// How often the loop looks whether the program has exited while it writes nothing (a library
/// cannot take over SIGCHLD from the program embedding it).
constexpr std::chrono::milliseconds kExitCheckInterval{10};

/// A file descriptor closed when its owner goes away.
class OwnedFd {
 public:
  explicit OwnedFd(int fd = -1) : fd_(fd) {}
  OwnedFd(OwnedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&& other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() { reset(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

[[noreturn]] void throw_start_failure(const std::string& program, const std::string& what,
                                      int error_number) {
  throw ChallengeError("exec: cannot start " + program + ": " + what + ": " +
                       std::strerror(error_number));
}

struct Pipe {
  OwnedFd read_end;
  OwnedFd write_end;
};

// Close-on-exec: the child gets the write end only through the dup2 onto its stdout/stderr, and
// children other threads start meanwhile get nothing.
Pipe make_pipe(const std::string& program) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_start_failure(program, "pipe2", errno);
  return Pipe{OwnedFd(fds[0]), OwnedFd(fds[1])};
}

class SpawnActions {
 public:
  SpawnActions() { ::posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class SpawnAttributes {
 public:
  SpawnAttributes() { ::posix_spawnattr_init(&attributes_); }
  ~SpawnAttributes() { ::posix_spawnattr_destroy(&attributes_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  posix_spawnattr_t* get() { return &attributes_; }

 private:
  posix_spawnattr_t attributes_;
};

void check_setup(int rc, const std::string& program, const char* what) {
  if (rc != 0) throw_start_failure(program, what, rc);
}

// Own process group, so that a timeout kills whatever the program started too. Signals the
// embedding program ignores or blocks must not stay ignored or blocked in the child.
void isolate(SpawnAttributes& attributes, const std::string& program) {
  sigset_t all_signals;
  ::sigfillset(&all_signals);
  sigset_t no_signals;
  ::sigemptyset(&no_signals);
  const short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  check_setup(::posix_spawnattr_setflags(attributes.get(), flags), program, "spawn flags");
  check_setup(::posix_spawnattr_setpgroup(attributes.get(), 0), program, "process group");
  check_setup(::posix_spawnattr_setsigdefault(attributes.get(), &all_signals), program,
              "signal defaults");
  check_setup(::posix_spawnattr_setsigmask(attributes.get(), &no_signals), program, "signal mask");
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    if (extra.count(text.substr(0, text.find('='))) == 0) entries.push_back(text);
  }
  for (const auto& [name, value] : extra) entries.push_back(name + "=" + value);
  return entries;
}

// posix_spawn wants NULL-terminated arrays of mutable C strings; they point into `strings`.
std::vector<char*> c_string_array(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

struct ChildStdio {
  int in;
  int out;
  int err;
};

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const ChildStdio& stdio) {
  const std::string& program = argv.front();
  SpawnActions actions;
  check_setup(::posix_spawn_file_actions_adddup2(actions.get(), stdio.in, STDIN_FILENO), program,
              "stdin");
  check_setup(::posix_spawn_file_actions_adddup2(actions.get(), stdio.out, STDOUT_FILENO), program,
              "stdout");
  check_setup(::posix_spawn_file_actions_adddup2(actions.get(), stdio.err, STDERR_FILENO), program,
              "stderr");
  SpawnAttributes attributes;
  isolate(attributes, program);

  std::vector<std::string> arguments = argv;
  std::vector<std::string> environment = child_environment(env);
  std::vector<char*> c_arguments = c_string_array(arguments);
  std::vector<char*> c_environment = c_string_array(environment);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, program.c_str(), actions.get(), attributes.get(),
                                c_arguments.data(), c_environment.data());
  if (rc != 0) throw_start_failure(program, "posix_spawn", rc);
  return pid;
}

/// Not a wait status waitpid can return (those are 16-bit).
constexpr int kStatusLost = -1;

/// The running program: killed (with its group) and reaped if the run is abandoned by an
/// exception, so that no zombie or stray script outlives the call.
class RunningChild {
 public:
  explicit RunningChild(pid_t pid) : pid_(pid) {}
  RunningChild(const RunningChild&) = delete;
  RunningChild& operator=(const RunningChild&) = delete;
  ~RunningChild() {
    if (!status_) {
      kill_group();
      wait_blocking();
    }
  }

  /// The wait status once the program has ended (reaps it), nullopt while it runs; -1 when
  /// someone else reaped it.
  const std::optional<int>& poll_exit() {
    if (!status_) {
      int wait_status = 0;
      pid_t rc;
      do {
        rc = ::waitpid(pid_, &wait_status, WNOHANG);
      } while (rc < 0 && errno == EINTR);
      if (rc == pid_) status_ = wait_status;
      if (rc < 0) status_ = kStatusLost;  // ECHILD
    }
    return status_;
  }

  void kill_group() noexcept {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);  // in case it left its group
  }

  void wait_blocking() noexcept {
    int wait_status = 0;
    pid_t rc;
    do {
      rc = ::waitpid(pid_, &wait_status, 0);
    } while (rc < 0 && errno == EINTR);
    status_ = rc == pid_ ? wait_status : kStatusLost;
  }

 private:
  pid_t pid_;
  std::optional<int> status_;
};

void keep_tail(std::string& tail, const char* data, std::size_t size) {
  tail.append(data, size);
  if (tail.size() > kOutputTailBytes) tail.erase(0, tail.size() - kOutputTailBytes);
}

/// Reads what is available into `tail`; closes `fd` at end of file or on a read error.
void read_available(OwnedFd& fd, std::string& tail) {
  char buffer[4096];
  ssize_t n;
  do {
    n = ::read(fd.get(), buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    keep_tail(tail, buffer, static_cast<std::size_t>(n));
  } else {
    fd.reset();
  }
}

/// Waits up to `wait` for output on the open pipes and reads it.
void pump_output(OwnedFd& out, OwnedFd& err, ProgramOutcome& outcome,
                 std::chrono::milliseconds wait) {
  pollfd fds[2] = {{out.get(), POLLIN, 0}, {err.get(), POLLIN, 0}};  // poll skips negative fds
  if (!out.open() && !err.open()) {
    std::this_thread::sleep_for(wait);
    return;
  }
  if (::poll(fds, 2, static_cast<int>(wait.count())) <= 0) return;  // timeout or EINTR
  if (fds[0].revents != 0) read_available(out, outcome.stdout_tail);
  if (fds[1].revents != 0) read_available(err, outcome.stderr_tail);
}

void record_status(int wait_status, ProgramOutcome& outcome) {
  if (wait_status == kStatusLost) {
    outcome.status_lost = true;
    return;
  }
  if (WIFEXITED(wait_status)) outcome.exit_code = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) outcome.term_signal = WTERMSIG(wait_status);
}

std::chrono::milliseconds until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(std::chrono::milliseconds(0), std::min(left, kExitCheckInterval));
}

/// Reads output until the program ends (its wait status) or the deadline passes (then kills its
/// group, reaps it and returns nullopt).
std::optional<int> wait_for_exit(RunningChild& child, OwnedFd& out, OwnedFd& err,
                                 ProgramOutcome& outcome, Clock::time_point deadline) {
  while (true) {
    if (const auto& status = child.poll_exit()) return status;
    if (Clock::now() >= deadline) {
      child.kill_group();
      child.wait_blocking();
      return std::nullopt;
    }
    pump_output(out, err, outcome, until(deadline));
  }
}

/// Reads what the ended program left in the pipes, for a short while only: something it
/// started may hold them open much longer.
void drain_output(OwnedFd& out, OwnedFd& err, ProgramOutcome& outcome) {
  const Clock::time_point deadline = Clock::now() + kOutputGraceAfterExit;
  while ((out.open() || err.open()) && Clock::now() < deadline) {
    pump_output(out, err, outcome, until(deadline));
  }
}

}  // namespace

ProgramOutcome run_program(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           std::chrono::milliseconds timeout) {
  if (argv.empty() || argv.front().empty()) {
    throw ChallengeError("exec: no program to run");
  }
  Pipe out = make_pipe(argv.front());
  Pipe err = make_pipe(argv.front());
  const OwnedFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!dev_null.open()) throw_start_failure(argv.front(), "/dev/null", errno);

  RunningChild child(spawn(argv, env, {dev_null.get(), out.write_end.get(), err.write_end.get()}));
  // Only the child holds the write ends now, so its exit brings end of file.
  out.write_end.reset();
  err.write_end.reset();

  ProgramOutcome outcome;
  const std::optional<int> status =
      wait_for_exit(child, out.read_end, err.read_end, outcome, Clock::now() + timeout);
  if (!status) {
    outcome.timed_out = true;
    return outcome;
  }
  drain_output(out.read_end, err.read_end, outcome);
  record_status(*status, outcome);
  return outcome;
}

}  // namespace acmecpp::dns01::exec
