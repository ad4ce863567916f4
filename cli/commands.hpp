#pragma once
// acmectl's subcommands. Each returns the process exit code; errors propagate as exceptions.

#include "options.hpp"

namespace acmectl {

int run_register(const GlobalOptions& options);
int run_issue(const GlobalOptions& options, const IssueOptions& issue);
int run_list(const GlobalOptions& options, const ListOptions& list);

}  // namespace acmectl
