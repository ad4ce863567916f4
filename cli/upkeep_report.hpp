// SPDX-License-Identifier: Apache-2.0
#pragma once
// acmectl's side of the library's maintenance engine (CertManager::maintain() and the background
// work of `run`): each certificate's choices from the settings, its events into exports and
// hooks, and one output line per outcome. renew, issue --batch and run print the same lines.

#include <atomic>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "setup.hpp"

namespace acmectl {

/// Output lines of concurrent work must not interleave.
void say(std::ostream& out, const std::string& line);

/// True when `names` is empty or the record holds one of them (main or SAN).
bool holds_any_name(const acmecpp::CertificateRecord& record,
                    const std::vector<std::string>& names);

/// A managed certificate whose events are delivered as `settings` ask (export, hooks; `store`:
/// where the traefik export finds the other certificates); a hook that fails clears `hooks_ok`,
/// which must outlive the manager.
acmecpp::ManagedCertificate managed_certificate(const std::vector<std::string>& names,
                                                const Settings& settings,
                                                std::shared_ptr<acmecpp::Store> store,
                                                std::atomic<bool>& hooks_ok);

/// Prints the line of one outcome: "issued ...", "renewed ...", "would renew ...", "skipped ...",
/// errors on stderr, "not due ..." with --verbose only.
void report(const acmecpp::UpkeepOutcome& outcome, const std::string& resolver,
            const Settings& settings);

/// How many outcomes had this result.
std::size_t count_results(const std::vector<acmecpp::UpkeepOutcome>& outcomes,
                          acmecpp::UpkeepOutcome::Result result);

}  // namespace acmectl
