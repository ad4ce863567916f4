#pragma once
// Running one shell line for a hook: posix_spawn (safe in a threaded program, unlike fork) of
// /bin/sh -c in a new process group, output tails collected through pipes, and a deadline after
// which the whole group is killed.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "acmecpp/hooks.hpp"

namespace acmecpp::manager {

/// Runs `/bin/sh -c command` with exactly `environment` ("NAME=value" entries).
HookResult run_shell(const std::string& command, const std::vector<std::string>& environment,
                     std::chrono::milliseconds timeout, std::size_t tail_bytes);

}  // namespace acmecpp::manager
