// SPDX-License-Identifier: Apache-2.0
#pragma once
// acmectl's subcommands. Each returns the process exit code; errors propagate as exceptions.

#include <string>
#include <vector>

#include "settings_source.hpp"

namespace acmectl {

struct IssueOptions {
  std::vector<std::string> names;
  bool json = false;
  bool force = false;      ///< order even when a stored certificate for the names is not due
  std::string batch_file;  ///< --batch: one certificate's names a line, instead of `names`
  bool dry_run = false;    ///< against the staging CA (or --server), nothing stored (dry_run.hpp)
};

struct ListOptions {
  bool json = false;
};

struct RenewOptions {
  std::vector<std::string> names;  ///< only certificates holding one of these; empty: all
  int days = 30;                   ///< --days; acmecpp::kAutomaticRenewalDays when not given
  bool force = false;
  bool check = false;    ///< list what is due, ask no CA, change nothing
  bool dry_run = false;  ///< renew against the staging CA (or --server), nothing stored
  std::string jitter;    ///< DURATION ("90", "90s", "15m", "2h"): wait a random time up to it first
};

struct ExportOptions {
  std::vector<std::string> names;
  std::string out_dir;
  std::string format = "pem";
};

struct RevokeOptions {
  std::string name;
  std::string reason;
  bool use_certificate_key = false;
  bool remove = false;
};

struct RunOptions {
  unsigned interval_seconds = 12 * 3600;  ///< between checks (twice a day)
  int days = 30;                          ///< --days; acmecpp::kAutomaticRenewalDays when not given
};

struct MigrateOptions {
  std::string from;  ///< a store: an acme.json path or a Redis URL
  std::string to;
  bool force = false;  ///< write into a target that already holds accounts or certificates
};

int run_register(const SettingsSource& source);
int run_issue(const SettingsSource& source, const IssueOptions& issue);
/// issue --batch: every line's certificate, --concurrency at a time, the store written once.
int run_issue_batch(const SettingsSource& source, const std::string& batch_file, bool dry_run);
int run_list(const SettingsSource& source, const ListOptions& list);
int run_renew(const SettingsSource& source, const RenewOptions& renew);
int run_run(const SettingsSource& source, const RunOptions& options);
int run_export(const SettingsSource& source, const ExportOptions& options);
int run_revoke(const SettingsSource& source, const RevokeOptions& options);
/// action: show, update, rollover, deactivate.
int run_account(const SettingsSource& source, const std::string& action);
/// Copies every resolver's account and certificates from one store to another.
int run_migrate(const MigrateOptions& options);

}  // namespace acmectl
