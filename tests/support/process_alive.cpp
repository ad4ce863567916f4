// SPDX-License-Identifier: Apache-2.0
#include <signal.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <thread>

#include "support/process.hpp"

namespace acmecpp::testing {

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  // /proc/PID/stat: "PID (COMM) STATE ..."; COMM may hold spaces and ')' so search from the end.
  std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat_file, line)) return false;
  const auto end_of_name = line.rfind(')');
  if (end_of_name == std::string::npos || end_of_name + 2 >= line.size()) return true;
  return line[end_of_name + 2] != 'Z';
}

bool ends_within(pid_t pid, std::chrono::milliseconds limit) {
  // Not our child (a grandchild, a daemon), so there is no descriptor to wait on: poll.
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (process_alive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace acmecpp::testing
