// SPDX-License-Identifier: Apache-2.0
// Starting and waiting for child processes.
//
// A library cannot choose what the program embedding it does with SIGCHLD. With SIG_IGN or
// SA_NOCLDWAIT the kernel reaps every child whose exit signal is SIGCHLD as soon as it ends, so
// waitpid(pid) finds nothing (ECHILD) and the status is lost; a handler that loops over
// waitpid(-1, WNOHANG) steals it the same way. So the program is not our child:
//
//   us --clone3(CLONE_PIDFD, exit_signal 0)--> starter --fork--> program (execs)
//
// The starter is a copy of us that never execs. Created with exit signal 0 it sends us no
// SIGCHLD, the kernel never reaps it for us (it reaps only children whose exit signal is
// SIGCHLD), and waitpid(-1, ...) without __WALL or __WCLONE does not see it. A child created that
// way cannot simply exec the program itself: exec sets the exit signal back to SIGCHLD (de_thread
// in fs/exec.c), which is what the starter is for. It resets its own SIGCHLD to the default,
// starts the program, and writes into a pipe to us that it runs, then (waitid with WNOWAIT) how
// it ended; it reaps the program only when we close that pipe, and exits. So the wait is a
// poll() on that pipe together with the output pipes, never a sleep loop, and we reap the
// starter through its pidfd with waitid(P_PIDFD, ..., __WALL). The alternatives: clone3 and exec
// with no intermediate loses the status under SIG_IGN exactly like posix_spawn (tried: ECHILD);
// a pidfd of the program alone does not help either, as the kernel reaps the program before we
// look.
// Needs Linux 5.4 (waitid on a pidfd); clone3 is tried first, the older clone() (which also
// takes CLONE_PIDFD and an exit signal of 0) where a seccomp filter refuses clone3.
//
// Between clone and exec the starter and the program are copies of a multithreaded process:
// another thread may have held any lock (malloc's, a sanitizer's) at the moment of the copy. So
// they make raw system calls only, with everything (argv, environment, the PATH candidates)
// prepared before. All signals are blocked on the calling thread around the clone, so that no
// handler of the embedding program runs in either; the starter keeps them blocked (it is in our
// process group, not the program's) and the program resets every disposition before it
// unblocks.
// The starter closes every descriptor it does not need, so that it holds no listening socket or
// other child's pipe of ours while the program runs.
//
// The program runs in a process group of its own, whose ID is its PID: not reusable while we
// may signal it, since the starter reaps the program only after we said we are done. A timeout
// kills the whole group with SIGKILL, not SIGTERM first: the timeout
// is already the grace the caller granted; processes in the group may ignore SIGTERM, so a second
// step would add its own wait to every timeout; and SIGKILL makes the end certain and immediate.

#include "core/child_process.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "core/unique_fd.hpp"

extern char** environ;

namespace acmecpp::core {
namespace {

using Clock = std::chrono::steady_clock;

/// After SIGKILL, how long to wait for the child to be gone (a process stuck in the kernel, in
/// uninterruptible sleep on a dead NFS server, may take longer: it is then left behind rather
/// than letting the caller hang); also the longest wait for the word that exec succeeded.
constexpr std::chrono::milliseconds kKilledChildWait{std::chrono::seconds(10)};

// close_range(2) flag (Linux 5.11), not in every libc's headers.
constexpr unsigned kCloseRangeCloexec = 1U << 2;

// ---- prepared in the parent ----

bool removed(const std::vector<std::string>& remove, std::string_view name) {
  return std::any_of(remove.begin(), remove.end(), [name](const std::string& pattern) {
    if (!pattern.empty() && pattern.back() == '*') {
      const std::string_view prefix(pattern.data(), pattern.size() - 1);
      return name.substr(0, prefix.size()) == prefix;
    }
    return name == pattern;
  });
}

std::vector<std::string> environment_entries(const ChildEnvironment& environment) {
  std::vector<std::string> entries;
  if (environment.inherit) {
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      const std::string_view name = text.substr(0, text.find('='));
      if (environment.set.count(std::string(name)) != 0 || removed(environment.remove, name)) {
        continue;
      }
      entries.emplace_back(text);
    }
  }
  for (const auto& [name, value] : environment.set) entries.push_back(name + "=" + value);
  return entries;
}

/// The paths to try, as execvp would: argv[0] itself when it holds a '/', else each PATH entry
/// (an empty one is the working directory) followed by the name.
std::vector<std::string> program_candidates(const std::string& program) {
  if (program.find('/') != std::string::npos) return {program};
  const char* path = std::getenv("PATH");
  const std::string search = path != nullptr ? path : "/bin:/usr/bin";
  std::vector<std::string> candidates;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = std::min(search.find(':', begin), search.size());
    const std::string directory = search.substr(begin, end - begin);
    candidates.push_back((directory.empty() ? std::string(".") : directory) + "/" + program);
    if (end == search.size()) break;
    begin = end + 1;
  }
  return candidates;
}

/// NULL-terminated arrays of C strings pointing into `strings`.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

[[noreturn]] void throw_start_error(const std::string& program, const std::string& step,
                                    int error_number) {
  throw ChildStartError("cannot start " + program + ": " + (step.empty() ? "" : step + ": ") +
                            std::strerror(error_number),
                        error_number);
}

/// `fd` moved above 0, 1 and 2 (a daemon may have closed those, and then pipe() hands them out,
/// where the child's dup2 onto its stdio would overwrite them).
UniqueFd above_stdio(UniqueFd fd) {
  if (!fd || fd.get() > STDERR_FILENO) return fd;
  return UniqueFd(::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
}

UniqueFd open_dev_null(int flags, const std::string& program) {
  UniqueFd fd = above_stdio(UniqueFd(::open("/dev/null", flags | O_CLOEXEC)));
  if (!fd) throw_start_error(program, "/dev/null", errno);
  return fd;
}

struct Pipe {
  UniqueFd read_end, write_end;
};

Pipe make_pipe(const std::string& program) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_start_error(program, "pipe", errno);
  Pipe pipe{above_stdio(UniqueFd(fds[0])), above_stdio(UniqueFd(fds[1]))};
  if (!pipe.read_end || !pipe.write_end) throw_start_error(program, "pipe", errno);
  return pipe;
}

// ---- in the starter and the program before exec: raw system calls only ----

/// What the starter tells the parent through the report pipe, one message at a time (12 bytes,
/// so each write is atomic): kStarted with the program's PID, then kEnded with its wait status;
/// or kFailed with the step and errno when the program could not be started.
struct Message {
  int kind;
  int first;
  int second;
};

enum Kind : int { kStarted = 1, kEnded = 2, kFailed = 3 };
enum Step : int { kStepSetup = 1, kStepChdir = 2, kStepExec = 3 };

/// Everything the starter and the program need, prepared by the parent.
struct Launch {
  int stdio[3];
  int report_fd;            // the starter's pipe to the parent
  const char* working_dir;  // nullptr: unchanged
  char* const* argv;
  char* const* envp;
  const char* const* candidates;  // NULL-terminated
};

long raw(long number, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
  return ::syscall(number, a, b, c, d, e);
}

void send(int fd, const Message& message) {
  while (raw(SYS_write, fd, reinterpret_cast<long>(&message), sizeof message) < 0 &&
         errno == EINTR) {
  }
}

[[noreturn]] void exit_now(int code) {
  raw(SYS_exit_group, code);
  __builtin_unreachable();
}

/// In the program: tells the starter why exec did not happen, through the exec pipe.
[[noreturn]] void fail_before_exec(int exec_fd, int step, int error_number) {
  send(exec_fd, Message{kFailed, step, error_number});
  exit_now(127);
}

/// The program's side, from the starter's fork to exec.
[[noreturn]] void program_main(const Launch& launch, int exec_fd) {
  // The starter closed 0 to 2, so the exec pipe may be there, where stdio is about to go.
  exec_fd = int(raw(SYS_fcntl, exec_fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
  if (exec_fd < 0) exit_now(127);
  // A process group of its own, so that a timeout kills whatever the program starts too.
  if (raw(SYS_setpgid, 0, 0) != 0) fail_before_exec(exec_fd, kStepSetup, errno);
  // Every signal to its default action: handlers are reset by exec anyway, but what the
  // embedding program ignores (SIGPIPE, SIGCHLD) would be inherited. The kernel's sigaction
  // structure differs between architectures; all zeros is SIG_DFL with no flags in every layout.
  static const unsigned long default_action[8] = {};
  for (int signal = 1; signal < 65; ++signal) {
    if (signal == SIGKILL || signal == SIGSTOP) continue;
    raw(SYS_rt_sigaction, signal, reinterpret_cast<long>(default_action), 0, 8);
  }
  // The caller's descriptors may be anywhere, 0 to 2 included: first copies above 2, then dup3
  // (which leaves close-on-exec off) onto 0, 1 and 2.
  int copies[3];
  for (int i = 0; i < 3; ++i) {
    copies[i] = int(raw(SYS_fcntl, launch.stdio[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
    if (copies[i] < 0) fail_before_exec(exec_fd, kStepSetup, errno);
  }
  for (int i = 0; i < 3; ++i) {
    if (raw(SYS_dup3, copies[i], i, 0) < 0) fail_before_exec(exec_fd, kStepSetup, errno);
  }
  // Only 0, 1 and 2 go on to the program (the exec pipe closes at exec, telling the starter).
  raw(SYS_close_range, STDERR_FILENO + 1, long(~0U), kCloseRangeCloexec);
  if (launch.working_dir != nullptr &&
      raw(SYS_chdir, reinterpret_cast<long>(launch.working_dir)) != 0) {
    fail_before_exec(exec_fd, kStepChdir, errno);
  }
  // The mask (all blocked since the parent's clone) is not the program's business.
  static const unsigned long no_signals = 0;
  raw(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&no_signals), 0, 8);
  // As execvp: go on past names that are not there; when none could run, a permission problem
  // met on the way is the answer, else "not found".
  bool denied = false;
  for (const char* const* candidate = launch.candidates; *candidate != nullptr; ++candidate) {
    raw(SYS_execve, reinterpret_cast<long>(*candidate), reinterpret_cast<long>(launch.argv),
        reinterpret_cast<long>(launch.envp));
    const int error_number = errno;
    if (error_number == EACCES) {
      denied = true;
    } else if (error_number != ENOENT && error_number != ENOTDIR && error_number != ESTALE &&
               error_number != ELOOP && error_number != ENAMETOOLONG && error_number != ENODEV &&
               error_number != ETIMEDOUT) {
      // Found, but it cannot run (E2BIG, ENOEXEC, ...): no other candidate would do better.
      fail_before_exec(exec_fd, kStepExec, error_number);
    }
  }
  fail_before_exec(exec_fd, kStepExec, denied ? EACCES : ENOENT);
}

/// Closes every descriptor except those in `keep` (at most 4).
void close_all_but(int keep0, int keep1, int keep2, int keep3) {
  int keep[4] = {keep0, keep1, keep2, keep3};
  for (int i = 1; i < 4; ++i) {  // insertion sort: four numbers, no library
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) std::swap(keep[j - 1], keep[j]);
  }
  int next = 0;
  for (int fd : keep) {
    if (fd < next) continue;  // a duplicate
    if (fd > next) raw(SYS_close_range, next, fd - 1, 0);
    next = fd + 1;
  }
  raw(SYS_close_range, next, long(~0U), 0);
}

/// The starter: our child, created with no exit signal, that never execs. It starts the
/// program as its own child and reports when it has ended and how, then reaps it once we have
/// closed our end of the report pipe (until then the program's PID, and so its process group's
/// ID, cannot be reused while we might signal it), then exits; we reap it through its pidfd.
/// Its signals stay blocked: nothing meant for the program or our process group ends it.
[[noreturn]] void starter_main(const Launch& launch) {
  // Its own children must not be reaped by the kernel (SIGCHLD ignored in the embedding
  // program is inherited): SIGCHLD to its default, SA_NOCLDWAIT off.
  static const unsigned long default_action[8] = {};
  raw(SYS_rt_sigaction, SIGCHLD, reinterpret_cast<long>(default_action), 0, 8);
  // The embedding program's other descriptors (listening sockets, other children's pipes) are
  // not held open for as long as the program runs.
  close_all_but(launch.stdio[0], launch.stdio[1], launch.stdio[2], launch.report_fd);
  int exec_pipe[2];
  if (raw(SYS_pipe2, reinterpret_cast<long>(exec_pipe), O_CLOEXEC) != 0) {
    send(launch.report_fd, Message{kFailed, kStepSetup, errno});
    exit_now(0);
  }
  const long program = raw(SYS_clone, SIGCHLD, 0, 0, 0);
  if (program == 0) {
    raw(SYS_close, exec_pipe[0]);
    program_main(launch, exec_pipe[1]);
  }
  if (program < 0) {
    send(launch.report_fd, Message{kFailed, kStepSetup, errno});
    exit_now(0);
  }
  raw(SYS_close, exec_pipe[1]);
  for (int fd : launch.stdio) raw(SYS_close, fd);  // the parent's pipes see EOF with the program
  Message failure{};
  long n;
  do {
    n = raw(SYS_read, exec_pipe[0], reinterpret_cast<long>(&failure), sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n == long(sizeof failure)) {
    raw(SYS_wait4, program, 0, 0, 0);
    send(launch.report_fd, failure);
    exit_now(0);
  }
  send(launch.report_fd, Message{kStarted, int(program), 0});
  siginfo_t info{};
  while (raw(SYS_waitid, P_PID, program, reinterpret_cast<long>(&info), WEXITED | WNOWAIT, 0) < 0 &&
         errno == EINTR) {
  }
  send(launch.report_fd, Message{kEnded, info.si_code, info.si_status});
  // The write end reports an error once the parent has closed the read end.
  pollfd closed{launch.report_fd, 0, 0};
  while (raw(SYS_ppoll, reinterpret_cast<long>(&closed), 1, 0, 0, 0) < 0 && errno == EINTR) {
  }
  raw(SYS_wait4, program, 0, 0, 0);
  exit_now(0);
}

// ---- clone ----

/// Forks with a pidfd and no exit signal: clone3, or clone() where clone3 is refused.
pid_t clone_with_pidfd(int* pidfd) {
  clone_args args{};
  args.flags = CLONE_PIDFD;
  args.pidfd = reinterpret_cast<std::uint64_t>(pidfd);
  args.exit_signal = 0;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && (errno == ENOSYS || errno == EPERM)) {
    // clone(flags | exit signal, stack, parent_tid, ...): the pidfd goes where parent_tid
    // points, the third argument on every architecture.
    pid = ::syscall(SYS_clone, long(CLONE_PIDFD), 0L, pidfd, 0L, 0L);
  }
  return pid_t(pid);
}

/// The calling thread with every signal blocked, restored on scope exit.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous_);
  }
  ~SignalsBlocked() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t previous_;
};

/// A status from waitid's si_code and si_status.
ChildStatus status_of(int code, int value) {
  ChildStatus status;
  if (code == CLD_EXITED) {
    status.exit_code = value;
  } else {
    status.term_signal = value;
  }
  return status;
}

/// Reaps the starter, whose pidfd turned readable: how the starter itself ended.
std::optional<ChildStatus> reap_starter(int pidfd) {
  siginfo_t info{};
  int rc;
  do {
    rc = ::waitid(idtype_t(P_PIDFD), id_t(pidfd), &info, WEXITED | __WALL);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 || info.si_pid == 0) return std::nullopt;
  return status_of(info.si_code, info.si_status);
}

/// One message from the starter; false at end of file (the starter is gone) or on an error.
bool receive(int fd, Message& message) {
  ssize_t n;
  do {
    n = ::read(fd, &message, sizeof message);
  } while (n < 0 && errno == EINTR);
  return n == ssize_t(sizeof message);
}

/// Polls `fd` for POLLIN up to `timeout`; true when ready.
bool readable_within(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd polled{fd, POLLIN, 0};
    const int rc = ::poll(&polled, 1, int(std::clamp<long long>(left.count(), 0, INT_MAX)));
    if (rc > 0) return true;
    if (rc == 0 || errno != EINTR) return false;
  }
}

}  // namespace

// ---- RunningChild ----

RunningChild RunningChild::start(const ChildSpec& spec, const ChildStdio& stdio) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    throw ChildStartError("cannot start a program: none given", 0);
  }
  const std::string& program = spec.argv.front();
  std::vector<std::string> arguments = spec.argv;
  std::vector<std::string> environment = environment_entries(spec.environment);
  std::vector<std::string> candidates = program_candidates(program);
  const std::vector<char*> c_arguments = c_strings(arguments);
  const std::vector<char*> c_environment = c_strings(environment);
  const std::vector<char*> c_candidates = c_strings(candidates);
  const std::string working_dir = spec.working_dir.string();

  UniqueFd null_in, null_out;
  const auto or_null = [&](int fd, UniqueFd& null_fd, int flags) {
    if (fd >= 0) return fd;
    if (!null_fd) null_fd = open_dev_null(flags, program);
    return null_fd.get();
  };
  Pipe report = make_pipe(program);
  Launch launch{{or_null(stdio.in, null_in, O_RDONLY), or_null(stdio.out, null_out, O_WRONLY),
                 or_null(stdio.err, null_out, O_WRONLY)},
                report.write_end.get(),
                working_dir.empty() ? nullptr : working_dir.c_str(),
                c_arguments.data(),
                c_environment.data(),
                c_candidates.data()};

  int pidfd = -1;
  pid_t starter;
  int clone_error = 0;
  {
    const SignalsBlocked blocked;
    starter = clone_with_pidfd(&pidfd);
    if (starter == 0) starter_main(launch);
    clone_error = errno;
  }
  if (starter < 0) throw_start_error(program, "clone", clone_error);
  RunningChild child(pidfd, report.read_end.release());
  report.write_end.reset();

  // The starter says at once whether the program is running (exec done) or why not. Bounded:
  // an exec stuck on a dead file system is a start failure, not a hang.
  Message message{};
  if (!readable_within(child.report_fd_, kKilledChildWait)) {
    child.kill_and_reap();
    throw_start_error(program, "no word from the new process", ETIMEDOUT);
  }
  if (!receive(child.report_fd_, message) || message.kind == kEnded) {
    child.kill_and_reap();
    throw_start_error(program, "the new process ended before the program ran", EIO);
  }
  if (message.kind == kFailed) {
    child.wait(kKilledChildWait);  // the starter exits right after saying so
    const std::string where = message.first == kStepChdir   ? "working directory " + working_dir
                              : message.first == kStepSetup ? "preparing the process"
                                                            : "";
    throw_start_error(program, where, message.second);
  }
  child.pid_ = pid_t(message.first);
  return child;
}

RunningChild::RunningChild(RunningChild&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      report_fd_(std::exchange(other.report_fd_, -1)),
      status_(std::exchange(other.status_, std::nullopt)) {}

RunningChild& RunningChild::operator=(RunningChild&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    report_fd_ = std::exchange(other.report_fd_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

RunningChild::~RunningChild() {
  kill_and_reap();
}

void RunningChild::signal(int signal) noexcept {
  // Until we close the report pipe the starter leaves the program unreaped, so its PID cannot
  // name another process.
  if (report_fd_ >= 0 && pid_ > 0) ::kill(pid_, signal);
}

void RunningChild::kill_group() noexcept {
  if (report_fd_ < 0) return;
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);  // in case it left its group
  } else if (pidfd_ >= 0) {
    // The program's PID is not known yet (start() gave up waiting): the starter at least.
    ::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
  }
}

std::optional<ChildStatus> RunningChild::wait(std::chrono::milliseconds timeout) {
  if (status_ || report_fd_ < 0) return status_;
  if (!readable_within(report_fd_, timeout)) return std::nullopt;
  // The program has ended (kEnded), or the starter is gone without saying so.
  Message message{};
  const bool ended = receive(report_fd_, message) && message.kind == kEnded;
  ::close(report_fd_);  // lets the starter reap the program and exit
  report_fd_ = -1;
  std::optional<ChildStatus> starter;
  if (readable_within(pidfd_, kKilledChildWait)) starter = reap_starter(pidfd_);
  status_ = ended ? status_of(message.first, message.second) : starter ? *starter : ChildStatus{};
  close_descriptors();
  return status_;
}

void RunningChild::kill_and_reap() noexcept {
  if (report_fd_ < 0 && pidfd_ < 0) return;
  kill_group();
  wait(kKilledChildWait);
  close_descriptors();  // still there after the wait: left behind (see kKilledChildWait)
}

void RunningChild::close_descriptors() noexcept {
  if (pidfd_ >= 0) ::close(pidfd_);
  if (report_fd_ >= 0) ::close(report_fd_);
  pidfd_ = -1;
  report_fd_ = -1;
}

// ---- run_child ----

namespace {

/// Keeps the last `cap` bytes of a stream and counts what it dropped.
struct Tail {
  std::size_t cap;
  std::string& text;
  std::size_t& dropped;
  void append(const char* data, std::size_t size) {
    text.append(data, size);
    if (text.size() > cap) {
      dropped += text.size() - cap;
      text.erase(0, text.size() - cap);
    }
  }
};

/// Reads what is there; closes `fd` at end of file or on an error.
void read_into(UniqueFd& fd, Tail& tail) {
  char buffer[16384];
  const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
  if (n > 0) {
    tail.append(buffer, std::size_t(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    fd.reset();
  }
}

/// Sends the next piece of stdin; closes the channel (end of file for the child) when all is
/// sent or the child stopped reading. A socket, so that MSG_NOSIGNAL turns a reader that went
/// away into EPIPE instead of a SIGPIPE for the whole program.
void write_from(UniqueFd& fd, const std::string& data, std::size_t& written) {
  const ssize_t n =
      ::send(fd.get(), data.data() + written, data.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n > 0) written += std::size_t(n);
  if ((n < 0 && errno != EINTR && errno != EAGAIN) || written == data.size()) fd.reset();
}

int poll_timeout(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  return int(std::clamp<long long>(left.count(), 0, INT_MAX));
}

struct Channels {
  UniqueFd out, err, in;
};

/// One poll over the pidfd (when given) and the open channels, up to `deadline`; handles what
/// is ready. True when the pidfd is readable.
bool step(int pidfd, Channels& channels, Tail& out, Tail& err, const std::string& input,
          std::size_t& written, Clock::time_point deadline) {
  pollfd polled[4] = {{pidfd, POLLIN, 0},
                      {channels.out.get(), POLLIN, 0},
                      {channels.err.get(), POLLIN, 0},
                      {channels.in.get(), POLLOUT, 0}};  // poll skips negative descriptors
  if (::poll(polled, 4, poll_timeout(deadline)) <= 0) return false;  // timeout or EINTR
  if (polled[1].revents != 0) read_into(channels.out, out);
  if (polled[2].revents != 0) read_into(channels.err, err);
  if (polled[3].revents != 0) write_from(channels.in, input, written);
  return polled[0].revents != 0;
}

}  // namespace

ChildRunResult run_child(const ChildSpec& spec, const ChildRunOptions& options) {
  ChildRunResult result;
  Channels channels;
  std::optional<RunningChild> child;
  try {
    const std::string program = spec.argv.empty() ? std::string() : spec.argv.front();
    Pipe out = make_pipe(program);
    Pipe err = make_pipe(program);
    UniqueFd child_in;
    if (!options.stdin_data.empty()) {
      int ends[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
        throw_start_error(program, "socketpair", errno);
      }
      child_in = above_stdio(UniqueFd(ends[0]));
      channels.in = above_stdio(UniqueFd(ends[1]));
      if (!child_in || !channels.in) throw_start_error(program, "socketpair", errno);
    }
    child = RunningChild::start(spec, {child_in.get(), out.write_end.get(), err.write_end.get()});
    // Only the child holds the write ends now, so its end (and its children's) brings EOF.
    channels.out = std::move(out.read_end);
    channels.err = std::move(err.read_end);
  } catch (const ChildStartError& e) {
    result.start_error = e.what();
    result.start_errno = e.error_number();
    return result;
  }

  Tail out{options.output_cap, result.out, result.out_dropped};
  Tail err{options.output_cap, result.err, result.err_dropped};
  std::size_t written = 0;
  const auto deadline = Clock::now() + options.timeout;
  while (!child->status()) {
    if (step(child->ended_fd(), channels, out, err, options.stdin_data, written, deadline)) {
      child->wait(std::chrono::milliseconds(0));
    } else if (Clock::now() >= deadline) {
      child->kill_and_reap();
      result.timed_out = true;
      break;
    }
  }
  if (const auto& status = child->status()) static_cast<ChildStatus&>(result) = *status;
  channels.in.reset();
  const auto drain_until = Clock::now() + options.output_grace;
  while ((channels.out || channels.err) && Clock::now() < drain_until) {
    step(-1, channels, out, err, options.stdin_data, written, drain_until);
  }
  return result;
}

}  // namespace acmecpp::core
