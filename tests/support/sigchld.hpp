// SPDX-License-Identifier: Apache-2.0
#pragma once
// The SIGCHLD dispositions a program embedding the library may have chosen, set for the length
// of a scope: the child-process runner must report the right exit status under each of them.

#include <signal.h>

#include <array>

namespace acmecpp::testing {

enum class SigchldDisposition {
  default_action,   ///< SIG_DFL, as a fresh process has it
  reaping_handler,  ///< a handler that calls waitpid(-1, WNOHANG) until nothing is left
  ignored,          ///< SIG_IGN: the kernel reaps children whose exit signal is SIGCHLD
  no_child_wait,    ///< SIG_DFL with SA_NOCLDWAIT: the same automatic reaping, another way
};

constexpr std::array<SigchldDisposition, 4> kSigchldDispositions = {
    SigchldDisposition::default_action, SigchldDisposition::reaping_handler,
    SigchldDisposition::ignored, SigchldDisposition::no_child_wait};

const char* to_string(SigchldDisposition disposition);

/// Sets the disposition; the destructor restores the one it found.
class ScopedSigchld {
 public:
  explicit ScopedSigchld(SigchldDisposition disposition);
  ~ScopedSigchld();
  ScopedSigchld(const ScopedSigchld&) = delete;
  ScopedSigchld& operator=(const ScopedSigchld&) = delete;

 private:
  struct sigaction previous_ {};
};

}  // namespace acmecpp::testing
