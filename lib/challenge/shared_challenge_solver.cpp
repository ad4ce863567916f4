// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/shared_challenge_solver.hpp"

#include <utility>

#include "acmecpp/error.hpp"
#include "challenge/http01/token_check.hpp"
#include "challenge/tlsalpn01/challenge_names.hpp"

namespace acmecpp {

namespace {

/// Where a task's proof is kept and what it is.
struct Entry {
  std::string key;
  std::string value;
};

Entry entry_for(const std::string& type, const ChallengeTask& task) {
  if (type == http01::kSharedType) {
    http01::require_valid_token(task.token);
    return {task.token, task.key_authorization};
  }
  tlsalpn01::require_presentable(task);
  const auto names = tlsalpn01::challenge_names(task.identifier);
  return {names.server_name, tlsalpn01::shared_proof(names, task.key_authorization)};
}

}  // namespace

SharedChallengeSolver::SharedChallengeSolver(std::shared_ptr<SharedChallenges> shared,
                                             std::string type, std::chrono::milliseconds ttl)
    : shared_(std::move(shared)), type_(std::move(type)), ttl_(ttl) {
  if (!shared_) {
    throw Error(ErrorKind::invalid_input,
                "SharedChallengeSolver needs a shared table (the store has none)");
  }
  if (type_ != http01::kSharedType && type_ != tlsalpn01::kSharedType) {
    throw Error(ErrorKind::invalid_input,
                "SharedChallengeSolver answers http-01 or tls-alpn-01, "
                "not \"" +
                    type_ + "\"");
  }
  if (ttl_ < std::chrono::seconds(1)) {
    throw Error(ErrorKind::invalid_input,
                "SharedChallengeSolver's ttl must be at least a second, not " +
                    std::to_string(ttl_.count()) + " ms");
  }
}

void SharedChallengeSolver::present(const ChallengeTask& task) {
  const Entry entry = entry_for(type_, task);
  try {
    shared_->put(type_, entry.key, entry.value, ttl_);
  } catch (const Error& error) {
    throw ChallengeError("cannot share the " + type_ + " proof for " + task.identifier + ": " +
                         error.what());
  }
}

void SharedChallengeSolver::cleanup(const ChallengeTask& task) noexcept {
  try {
    const Entry entry = entry_for(type_, task);
    shared_->remove(type_, entry.key, entry.value);
  } catch (...) {
    // A task present() refused left nothing behind; anything else lapses with its ttl.
  }
}

}  // namespace acmecpp
