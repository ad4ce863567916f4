// SPDX-License-Identifier: Apache-2.0
#pragma once
// Progress of renew, issue --batch and each pass of run, on stderr: "n/N RESULT NAME" as each
// certificate is handled (MaintainOptions::on_outcome), and one closing summary with the count of
// each result and the time taken. Not-due certificates get a progress line with -v only, so a cron
// renew with nothing due says one line; --quiet says none of this.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "settings.hpp"

namespace acmectl {

class UpkeepProgress {
 public:
  /// `command` names the run in the summary ("renew", "issue --batch"); `total`: certificates.
  UpkeepProgress(std::string command, std::size_t total, const Settings& settings,
                 std::string resolver);
  UpkeepProgress(const UpkeepProgress&) = delete;
  UpkeepProgress& operator=(const UpkeepProgress&) = delete;

  /// For MaintainOptions::on_outcome (called from several threads); this must outlive it.
  std::function<void(const acmecpp::UpkeepOutcome&)> callback();
  /// Counts from zero again, for the next pass of `run` over `total` certificates.
  void restart(std::size_t total);
  /// The closing line, e.g. "renew: 12 certificates in 1.4 s: 1 renewed, 11 not due".
  void summary(const std::vector<acmecpp::UpkeepOutcome>& outcomes) const;

 private:
  void completed(const acmecpp::UpkeepOutcome& outcome);

  std::string command_;
  std::size_t total_;
  bool verbose_;
  bool quiet_;
  std::string resolver_;
  std::chrono::steady_clock::time_point started_;
  std::mutex mutex_;
  std::size_t done_ = 0;
};

/// The word of a result in progress and summary lines: "issued", "renewed", "not due", ...
std::string result_word(acmecpp::UpkeepOutcome::Result result);

}  // namespace acmectl
