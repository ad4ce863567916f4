#pragma once
// Proving control of every identifier of an order: pick a solver per authorization, present,
// answer, poll, and always clean up. Authorizations are worked on concurrently.

#include <memory>
#include <vector>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/solver.hpp"
#include "manager/logger.hpp"

namespace acmecpp::manager {

/// Completes the authorizations of `order`. Throws ChallengeError (with the server's problem) for
/// the first one that fails, after every presented challenge was cleaned up.
void complete_authorizations(acme::Client& client, const acme::Order& order,
                             const std::vector<std::shared_ptr<Solver>>& solvers,
                             const Logger& log);

}  // namespace acmecpp::manager
