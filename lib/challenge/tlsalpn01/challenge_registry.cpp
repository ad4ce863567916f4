// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/challenge_registry.hpp"

#include "acmecpp/error.hpp"
#include "challenge/tlsalpn01/challenge_certificate.hpp"
#include "core/ascii.hpp"
#include "core/ip_address.hpp"

namespace acmecpp::tlsalpn01 {
namespace {

void require_presentable(const ChallengeTask& task) {
  if (task.wildcard) {
    // The validator connects to one host name; a wildcard has none to connect to.
    throw ChallengeError("TLS-ALPN-01 cannot validate the wildcard name *." + task.identifier +
                         ": use DNS-01 for it");
  }
  if (task.identifier.empty()) throw ChallengeError("TLS-ALPN-01 task without an identifier");
}

/// What the certificate is for (a DNS name lower-cased, an IP address in canonical text) and
/// the SNI a validator sends for it: the name itself, or for an IP address its reverse-DNS name
/// (RFC 8738 section 6).
struct Names {
  std::string identifier;
  std::string server_name;
};

Names names_of(const ChallengeTask& task) {
  if (const auto ip = core::canonical_ip_address(task.identifier)) {
    return {*ip, core::reverse_dns_name(*ip)};
  }
  // SNI and identifiers are A-labels, compared case-insensitively.
  std::string name = core::ascii_lower(task.identifier);
  return {name, name};
}

}  // namespace

void ChallengeRegistry::add(const ChallengeTask& task) {
  require_presentable(task);
  const auto [name, server_name] = names_of(task);
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
    const std::string server_name = names_of(task).server_name;
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
  if (!server_name.empty() && server_name.back() == '.') server_name.remove_suffix(1);
  const std::string name = core::ascii_lower(server_name);
  std::lock_guard<std::mutex> lock(mutex_);
  if (name.empty()) {
    // No SNI: a validator that connects to an IP address and leaves SNI out (RFC 8738 section 6
    // asks for the reverse-DNS name, but a client library may send no SNI for an address). Only
    // unambiguous: the one challenge presented, and it is for an IP address.
    if (by_name_.size() != 1) return nullptr;
    const auto& only = by_name_.begin()->second.certificate;
    return core::canonical_ip_address(only->identifier) ? only : nullptr;
  }
  const auto found = by_name_.find(name);
  return found == by_name_.end() ? nullptr : found->second.certificate;
}

}  // namespace acmecpp::tlsalpn01
