// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/challenge_registry.hpp"

#include "acmecpp/error.hpp"
#include "challenge/tlsalpn01/challenge_certificate.hpp"
#include "core/ascii.hpp"

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

}  // namespace

void ChallengeRegistry::add(const ChallengeTask& task) {
  require_presentable(task);
  // SNI and identifiers are A-labels, compared case-insensitively.
  const std::string name = core::ascii_lower(task.identifier);
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = by_name_.find(name);
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
  by_name_.emplace(name, Presented{task.key_authorization, std::move(certificate), 1});
}

void ChallengeRegistry::remove(const ChallengeTask& task) noexcept {
  try {
    const std::string name = core::ascii_lower(task.identifier);
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = by_name_.find(name);
    if (found == by_name_.end() || found->second.key_authorization != task.key_authorization) {
      return;
    }
    if (--found->second.references <= 0) by_name_.erase(found);
  } catch (...) {
    // Only copying the name can throw (out of memory): nothing sensible left to do in cleanup.
  }
}

std::shared_ptr<const TlsAlpn01Certificate> ChallengeRegistry::find(
    std::string_view server_name) const {
  const std::string name = core::ascii_lower(server_name);
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = by_name_.find(name);
  return found == by_name_.end() ? nullptr : found->second.certificate;
}

}  // namespace acmecpp::tlsalpn01
