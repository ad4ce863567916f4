#include "support/spawn.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <set>

#include "acmecpp/error.hpp"

extern char** environ;

namespace acmecpp::testing::detail {
namespace {

std::string name_of(const std::string& entry) {
  return entry.substr(0, entry.find('='));
}

std::vector<std::string> child_environment(const ProcessOptions& options) {
  std::set<std::string> dropped(options.unset_env.begin(), options.unset_env.end());
  for (const auto& [name, value] : options.env) dropped.insert(name);
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (dropped.count(name_of(*entry)) == 0) entries.emplace_back(*entry);
  }
  for (const auto& [name, value] : options.env) entries.push_back(name + "=" + value);
  return entries;
}

// exec* wants NULL-terminated arrays of mutable C strings; they point into `strings`.
std::vector<char*> c_string_array(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

void check(int rc, const char* what) {
  if (rc != 0) throw Error(ErrorKind::invalid_input, std::string(what) + ": " + std::strerror(rc));
}

class SpawnFileActions {
 public:
  SpawnFileActions() { check(posix_spawn_file_actions_init(&actions_), "file actions"); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class SpawnAttributes {
 public:
  SpawnAttributes() { check(posix_spawnattr_init(&attributes_), "spawn attributes"); }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  posix_spawnattr_t* get() { return &attributes_; }

 private:
  posix_spawnattr_t attributes_;
};

// The sources are close-on-exec, so after exec the child holds exactly stdin, stdout, stderr.
void redirect_stdio(SpawnFileActions& actions, const ChildStdio& stdio) {
  check(posix_spawn_file_actions_adddup2(actions.get(), stdio.in, STDIN_FILENO), "dup2 stdin");
  check(posix_spawn_file_actions_adddup2(actions.get(), stdio.out, STDOUT_FILENO), "dup2 stdout");
  check(posix_spawn_file_actions_adddup2(actions.get(), stdio.err, STDERR_FILENO), "dup2 stderr");
}

// Own process group: a timeout can then kill the child with everything it started. Signals the
// test ignores or blocks (e.g. SIGPIPE) must not stay ignored or blocked in the child.
void isolate(SpawnAttributes& attributes) {
  sigset_t all_signals;
  sigfillset(&all_signals);
  sigdelset(&all_signals, SIGKILL);
  sigdelset(&all_signals, SIGSTOP);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  check(posix_spawnattr_setflags(attributes.get(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                                       POSIX_SPAWN_SETSIGMASK),
        "spawn flags");
  check(posix_spawnattr_setpgroup(attributes.get(), 0), "spawn process group");
  check(posix_spawnattr_setsigdefault(attributes.get(), &all_signals), "spawn signal defaults");
  check(posix_spawnattr_setsigmask(attributes.get(), &no_signals), "spawn signal mask");
}

ExitStatus decode(int wait_status) {
  ExitStatus status;
  if (WIFEXITED(wait_status)) status.exit_code = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) status.term_signal = WTERMSIG(wait_status);
  return status;
}

}  // namespace

pid_t spawn(const std::vector<std::string>& argv, const ProcessOptions& options,
            const ChildStdio& stdio) {
  if (argv.empty()) throw Error(ErrorKind::invalid_input, "cannot start a process: empty argv");
  SpawnFileActions actions;
  redirect_stdio(actions, stdio);
  if (!options.working_dir.empty()) {
    check(posix_spawn_file_actions_addchdir_np(actions.get(), options.working_dir.c_str()),
          "chdir");
  }
  SpawnAttributes attributes;
  isolate(attributes);

  std::vector<std::string> arguments = argv;
  std::vector<std::string> environment = child_environment(options);
  std::vector<char*> c_arguments = c_string_array(arguments);
  std::vector<char*> c_environment = c_string_array(environment);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, c_arguments[0], actions.get(), attributes.get(),
                              c_arguments.data(), c_environment.data());
  if (rc != 0) {
    throw Error(
        ErrorKind::invalid_input,
        "cannot start " + argv[0] +
            (options.working_dir.empty() ? std::string() : " in " + options.working_dir.string()) +
            ": " + std::strerror(rc));
  }
  return pid;
}

std::optional<ExitStatus> try_reap(pid_t pid) {
  int wait_status = 0;
  pid_t rc;
  do {
    rc = ::waitpid(pid, &wait_status, WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) return std::nullopt;
  // rc < 0 (ECHILD): someone else reaped it; all we know is that it is gone.
  return rc == pid ? decode(wait_status) : ExitStatus{};
}

ExitStatus reap(pid_t pid) {
  int wait_status = 0;
  pid_t rc;
  do {
    rc = ::waitpid(pid, &wait_status, 0);
  } while (rc < 0 && errno == EINTR);
  return rc == pid ? decode(wait_status) : ExitStatus{};
}

void kill_group(pid_t pid) noexcept {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

}  // namespace acmecpp::testing::detail
