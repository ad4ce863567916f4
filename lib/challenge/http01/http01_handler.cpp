// SPDX-License-Identifier: Apache-2.0
#include <map>
#include <mutex>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"
#include "challenge/http01/token_check.hpp"

namespace acmecpp {

namespace {

struct Presented {
  std::string key_authorization;
  int references = 0;
};

}  // namespace

// Tokens are reference-counted: ACME never gives two challenges the same token, but a caller
// that presents the same task twice and cleans it up once must not take it offline under the
// other presentation's feet.
struct Http01Handler::State {
  mutable std::mutex mutex;
  std::map<std::string, Presented, std::less<>> by_token;
  std::shared_ptr<SharedChallenges> shared;
};

Http01Handler::Http01Handler() : state_(std::make_shared<State>()) {}

Http01Handler::~Http01Handler() = default;

void Http01Handler::present(const ChallengeTask& task) {
  http01::require_valid_token(task.token);
  std::lock_guard<std::mutex> lock(state_->mutex);
  Presented& entry = state_->by_token[task.token];
  if (entry.references > 0 && entry.key_authorization != task.key_authorization) {
    // Two accounts cannot be given the same token; serving either answer would be wrong.
    throw ChallengeError("HTTP-01 token \"" + task.token +
                         "\" is already presented with a different key authorization");
  }
  entry.key_authorization = task.key_authorization;
  ++entry.references;
}

void Http01Handler::cleanup(const ChallengeTask& task) noexcept {
  std::lock_guard<std::mutex> lock(state_->mutex);
  const auto found = state_->by_token.find(task.token);
  // Not presented, or present() failed (cleanup follows every present(), even a failed one):
  // a task whose token is served with another key authorization must not take that one down.
  if (found == state_->by_token.end() ||
      found->second.key_authorization != task.key_authorization) {
    return;
  }
  if (--found->second.references <= 0) state_->by_token.erase(found);
}

std::optional<std::string> Http01Handler::response(std::string_view request_path) const {
  request_path = request_path.substr(0, request_path.find('?'));
  if (request_path.substr(0, kHttp01PathPrefix.size()) != kHttp01PathPrefix) return std::nullopt;
  const std::string_view token = request_path.substr(kHttp01PathPrefix.size());
  if (!is_valid_challenge_token(token)) return std::nullopt;

  std::shared_ptr<SharedChallenges> shared;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    const auto found = state_->by_token.find(token);
    if (found != state_->by_token.end()) return found->second.key_authorization;
    shared = state_->shared;
  }
  // Looked up without the lock held: other requests go on while this one asks.
  if (!shared) return std::nullopt;
  return shared->get(http01::kSharedType, std::string(token));
}

void Http01Handler::answer_from(std::shared_ptr<SharedChallenges> shared) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->shared = std::move(shared);
}

}  // namespace acmecpp
