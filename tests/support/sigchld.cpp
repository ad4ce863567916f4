// SPDX-License-Identifier: Apache-2.0
#include "support/sigchld.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace acmecpp::testing {
namespace {

// What a program with a "reap every child" handler does: it takes any child's status, ours too
// if the kernel offers it.
extern "C" void reap_every_child(int) {
  const int saved_errno = errno;
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  errno = saved_errno;
}

}  // namespace

const char* to_string(SigchldDisposition disposition) {
  switch (disposition) {
    case SigchldDisposition::default_action:
      return "SIGCHLD default";
    case SigchldDisposition::reaping_handler:
      return "SIGCHLD handler calling waitpid(-1, WNOHANG)";
    case SigchldDisposition::ignored:
      return "SIGCHLD ignored (SIG_IGN)";
    case SigchldDisposition::no_child_wait:
      return "SIGCHLD default with SA_NOCLDWAIT";
  }
  return "?";
}

ScopedSigchld::ScopedSigchld(SigchldDisposition disposition) {
  struct sigaction wanted {};
  sigemptyset(&wanted.sa_mask);
  switch (disposition) {
    case SigchldDisposition::default_action:
      wanted.sa_handler = SIG_DFL;
      break;
    case SigchldDisposition::reaping_handler:
      wanted.sa_handler = reap_every_child;
      wanted.sa_flags = SA_RESTART;
      break;
    case SigchldDisposition::ignored:
      wanted.sa_handler = SIG_IGN;
      break;
    case SigchldDisposition::no_child_wait:
      wanted.sa_handler = SIG_DFL;
      wanted.sa_flags = SA_NOCLDWAIT;
      break;
  }
  if (::sigaction(SIGCHLD, &wanted, &previous_) != 0) {
    throw std::runtime_error(std::string("sigaction(SIGCHLD): ") + std::strerror(errno));
  }
}

ScopedSigchld::~ScopedSigchld() {
  ::sigaction(SIGCHLD, &previous_, nullptr);
}

}  // namespace acmecpp::testing
