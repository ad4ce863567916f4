// SPDX-License-Identifier: Apache-2.0
#pragma once
// Proving control of every identifier of an order, in phases so that DNS records sharing a name
// are all published before any is checked: fetch every authorization, choose a solver for each,
// present all, wait until all are visible, answer all, then poll the order (one poll loop for
// all authorizations) until the server has judged them, and always clean up all. Each phase
// works on the authorizations concurrently (a few ACME requests at a time).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/solver.hpp"
#include "manager/logger.hpp"

namespace acmecpp::manager {

struct SolverChoice {
  /// Configured solvers; when several fit, the first type in `preference` wins (types not
  /// listed come after, in configuration order).
  std::vector<std::shared_ptr<Solver>> solvers;
  /// Challenge type chosen by the caller for a name ("*.example.com" for a wildcard).
  std::map<std::string, std::string> per_name;
  std::vector<std::string> preference{"tls-alpn-01", "http-01", "dns-01"};
};

/// Refuses, before anything is ordered, a certificate with an IP address that no configured solver
/// can validate: RFC 8738 section 7 leaves DNS-01 out for IP identifiers (there is no DNS name to
/// put a TXT record under), so an IP address needs an http-01 or tls-alpn-01 solver, and must not
/// be given "dns-01" in `per_name`. Throws Error(config) naming the address.
void require_solvers_for_ips(const std::vector<std::string>& names, const SolverChoice& choice);

/// Completes the authorizations of `order`; when it returns, the order is "ready" (or already
/// "valid"). Throws ChallengeError (with the server's problem) for the first one that failed,
/// after every presented challenge was cleaned up.
void complete_authorizations(acme::Client& client, const acme::Order& order,
                             const SolverChoice& choice, const Logger& log);

}  // namespace acmecpp::manager
