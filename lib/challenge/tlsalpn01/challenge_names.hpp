// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a TLS-ALPN-01 challenge certificate is for and the SNI a validator sends for it, and the
// form in which a TLS-ALPN-01 proof is kept in a SharedChallenges: one place for the local
// registry and the shared table, so that both find a proof under the same SNI.

#include <optional>
#include <string>
#include <string_view>

#include "acmecpp/solver.hpp"

namespace acmecpp::tlsalpn01 {

/// The challenge type's name in a SharedChallenges.
inline constexpr const char* kSharedType = "tls-alpn-01";

struct ChallengeNames {
  std::string identifier;   ///< a DNS name lower-cased, an IP address in canonical text
  std::string server_name;  ///< the name itself, or an IP address's reverse-DNS name
};

/// Throws ChallengeError for a task TLS-ALPN-01 cannot validate: a wildcard, no identifier.
void require_presentable(const ChallengeTask& task);

/// The names for a task's identifier (RFC 8738 section 6 for IP addresses).
ChallengeNames challenge_names(std::string_view identifier);

/// An SNI as the registry keys it: lower-cased, without a trailing dot.
std::string normalised_server_name(std::string_view server_name);

/// A proof as a SharedChallenges keeps it under its server name: "IDENTIFIER KEY_AUTHORIZATION".
std::string shared_proof(const ChallengeNames& names, const std::string& key_authorization);

struct SharedProof {
  std::string identifier;
  std::string key_authorization;
};

/// The proof kept under `server_name`, or nullopt when `value` is malformed or made for another
/// server name (what is served must match the SNI it was asked for, whoever wrote the table).
std::optional<SharedProof> parse_shared_proof(const std::string& value,
                                              const std::string& server_name);

}  // namespace acmecpp::tlsalpn01
