// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <utility>

#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/alpn_wire.hpp"
#include "challenge/tlsalpn01/challenge_registry.hpp"
#include "challenge/tlsalpn01/fallback_handshakes.hpp"
#include "challenge/tlsalpn01/handshake_hooks.hpp"

namespace acmecpp {

TlsAlpn01Responder::TlsAlpn01Responder()
    : registry_(std::make_shared<tlsalpn01::ChallengeRegistry>()) {}

TlsAlpn01Responder::~TlsAlpn01Responder() = default;

void TlsAlpn01Responder::present(const ChallengeTask& task) {
  registry_->add(task);
}

void TlsAlpn01Responder::cleanup(const ChallengeTask& task) noexcept {
  registry_->remove(task);
}

std::shared_ptr<const TlsAlpn01Certificate> TlsAlpn01Responder::challenge_for(
    std::string_view server_name, const std::vector<std::string>& alpn_protocols) const {
  const bool wants_acme = std::find(alpn_protocols.begin(), alpn_protocols.end(),
                                    kAcmeTlsAlpnProtocol) != alpn_protocols.end();
  return wants_acme ? registry_->find(server_name) : nullptr;
}

std::shared_ptr<const TlsAlpn01Certificate> TlsAlpn01Responder::challenge_for(
    std::string_view server_name, const unsigned char* alpn_wire,
    std::size_t alpn_wire_length) const {
  const bool wants_acme =
      tlsalpn01::offers_acme_tls(tlsalpn01::wire_view(alpn_wire, alpn_wire_length));
  return wants_acme ? registry_->find(server_name) : nullptr;
}

void TlsAlpn01Responder::install(SSL_CTX* context, const TlsAlpn01InstallOptions& options) const {
  // The policy is made first: it checks the options, so a refused call changes nothing.
  auto fallback = std::make_shared<const tlsalpn01::FallbackHandshakes>(options);
  tlsalpn01::install_handshake_hooks(context, tlsalpn01::challenges_in(registry_),
                                     std::move(fallback));
}

void TlsAlpn01Responder::answer_from(std::shared_ptr<SharedChallenges> shared) {
  registry_->answer_from(std::move(shared));
}

bool TlsAlpn01Responder::is_challenge_handshake(const SSL* ssl) {
  return tlsalpn01::is_challenge_handshake(ssl);
}

}  // namespace acmecpp
