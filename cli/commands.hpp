#pragma once
// acmectl's subcommands. Each returns the process exit code; errors propagate as exceptions.

#include <string>
#include <vector>

#include "settings_source.hpp"

namespace acmectl {

struct IssueOptions {
  std::vector<std::string> names;
  bool json = false;
};

struct ListOptions {
  bool json = false;
};

int run_register(const SettingsSource& source);
int run_issue(const SettingsSource& source, const IssueOptions& issue);
int run_list(const SettingsSource& source, const ListOptions& list);

}  // namespace acmectl
