// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/challenge_registry.hpp"

#include "acmecpp/error.hpp"
#include "challenge/tlsalpn01/challenge_certificate.hpp"
#include "challenge/tlsalpn01/challenge_names.hpp"
#include "core/ip_address.hpp"

namespace acmecpp::tlsalpn01 {
namespace {

/// Certificates made from shared proofs are few at a time (the challenges in flight); a table
/// past this size is emptied rather than let grow with names long validated.
constexpr std::size_t kMadeFromSharedLimit = 64;

}  // namespace

void ChallengeRegistry::add(const ChallengeTask& task) {
  require_presentable(task);
  const auto [name, server_name] = challenge_names(task.identifier);
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = by_name_.find(server_name);
  if (found != by_name_.end()) {
    if (found->second.key_authorization != task.key_authorization) {
      throw ChallengeError("a TLS-ALPN-01 challenge for " + name +
                           " is already presented with a different key authorization");
    }
    ++found->second.references;
    return;
  }
  std::shared_ptr<const TlsAlpn01Certificate> certificate;
  try {
    certificate = make_challenge_certificate(name, task.key_authorization);
  } catch (const Error& error) {
    throw ChallengeError("cannot make the TLS-ALPN-01 certificate for " + name + ": " +
                         error.what());
  }
  by_name_.emplace(server_name, Presented{task.key_authorization, std::move(certificate), 1});
}

void ChallengeRegistry::remove(const ChallengeTask& task) noexcept {
  try {
    const std::string server_name = challenge_names(task.identifier).server_name;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = by_name_.find(server_name);
    if (found == by_name_.end() || found->second.key_authorization != task.key_authorization) {
      return;
    }
    if (--found->second.references <= 0) by_name_.erase(found);
  } catch (...) {
    // Only making the names can throw (out of memory): nothing sensible left to do in cleanup.
  }
}

std::shared_ptr<const TlsAlpn01Certificate> ChallengeRegistry::find(
    std::string_view server_name) const {
  const std::string name = normalised_server_name(server_name);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (name.empty()) {
      // No SNI: a validator that connects to an IP address and leaves SNI out (RFC 8738 section 6
      // asks for the reverse-DNS name, but a client library may send no SNI for an address).
      // Only unambiguous: the one challenge presented, and it is for an IP address.
      if (by_name_.size() != 1) return nullptr;
      const auto& only = by_name_.begin()->second.certificate;
      return core::canonical_ip_address(only->identifier) ? only : nullptr;
    }
    const auto found = by_name_.find(name);
    if (found != by_name_.end()) return found->second.certificate;
  }
  return find_shared(name);
}

void ChallengeRegistry::answer_from(std::shared_ptr<SharedChallenges> shared) {
  std::lock_guard<std::mutex> lock(mutex_);
  shared_ = std::move(shared);
  made_from_shared_.clear();
}

std::shared_ptr<const TlsAlpn01Certificate> ChallengeRegistry::find_shared(
    const std::string& server_name) const {
  std::shared_ptr<SharedChallenges> shared;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shared = shared_;
  }
  if (!shared) return nullptr;
  // The lookup goes out (to Redis, say) without the registry's lock: other handshakes go on. It
  // is made for every acme-tls/1 handshake (only validators offer that protocol, a few times an
  // order): the table decides whether a proof is still current, so one removed is never answered;
  // the certificate made for it earlier is reused.
  const auto value = shared->get(kSharedType, server_name);
  if (!value) return nullptr;
  const auto proof = parse_shared_proof(*value, server_name);
  if (!proof) return nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto made = made_from_shared_.find(server_name);
    if (made != made_from_shared_.end() &&
        made->second.key_authorization == proof->key_authorization) {
      return made->second.certificate;
    }
  }
  std::shared_ptr<const TlsAlpn01Certificate> certificate;
  try {
    certificate = make_challenge_certificate(proof->identifier, proof->key_authorization);
  } catch (...) {
    return nullptr;  // inside a handshake: it fails, and the validator tries again
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (made_from_shared_.size() >= kMadeFromSharedLimit) made_from_shared_.clear();
  made_from_shared_[server_name] = MadeFromShared{proof->key_authorization, certificate};
  return certificate;
}

}  // namespace acmecpp::tlsalpn01
