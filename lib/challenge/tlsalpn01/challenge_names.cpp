// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/challenge_names.hpp"

#include "acmecpp/error.hpp"
#include "core/ascii.hpp"
#include "core/ip_address.hpp"

namespace acmecpp::tlsalpn01 {

void require_presentable(const ChallengeTask& task) {
  if (task.wildcard) {
    // The validator connects to one host name; a wildcard has none to connect to.
    throw ChallengeError("TLS-ALPN-01 cannot validate the wildcard name *." + task.identifier +
                         ": use DNS-01 for it");
  }
  if (task.identifier.empty()) throw ChallengeError("TLS-ALPN-01 task without an identifier");
}

ChallengeNames challenge_names(std::string_view identifier) {
  if (const auto ip = core::canonical_ip_address(identifier)) {
    return {*ip, core::reverse_dns_name(*ip)};
  }
  // SNI and identifiers are A-labels, compared case-insensitively.
  std::string name = core::ascii_lower(identifier);
  return {name, name};
}

std::string normalised_server_name(std::string_view server_name) {
  if (!server_name.empty() && server_name.back() == '.') server_name.remove_suffix(1);
  return core::ascii_lower(server_name);
}

std::string shared_proof(const ChallengeNames& names, const std::string& key_authorization) {
  return names.identifier + " " + key_authorization;
}

std::optional<SharedProof> parse_shared_proof(const std::string& value,
                                              const std::string& server_name) {
  const auto space = value.find(' ');
  if (space == std::string::npos || space == 0 || space + 1 == value.size()) return std::nullopt;
  SharedProof proof{value.substr(0, space), value.substr(space + 1)};
  if (proof.key_authorization.find(' ') != std::string::npos) return std::nullopt;
  if (challenge_names(proof.identifier).server_name != server_name) return std::nullopt;
  return proof;
}

}  // namespace acmecpp::tlsalpn01
