// SPDX-License-Identifier: Apache-2.0
#include <map>
#include <mutex>
#include <utility>

#include "acmecpp/error.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/challenge_registry.hpp"
#include "challenge/tlsalpn01/handshake_listener.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "core/listen_tcp.hpp"

namespace acmecpp {
namespace {

/// A context that completes validation handshakes only. It has no certificate of its own: the
/// client-hello callback installs the challenge certificate, or refuses the handshake.
tlsalpn01::SslCtxPtr make_challenge_context(const TlsAlpn01Responder& responder,
                                            const std::string& where) {
  tlsalpn01::SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  // RFC 8737 section 4: validations use TLS 1.2 or later.
  if (!context || SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION) != 1) {
    throw ChallengeError("cannot start the TLS-ALPN-01 server on " + where +
                         ": cannot create an OpenSSL context");
  }
  TlsAlpn01InstallOptions options;
  options.challenges_only = true;
  responder.install(context.get(), options);
  return context;
}

}  // namespace

struct TlsAlpn01StandaloneSolver::Impl {
  Impl(std::string address_, std::uint16_t port_) : address(std::move(address_)), port(port_) {}

  void present(const ChallengeTask& task);
  void cleanup(const ChallengeTask& task) noexcept;

 private:
  const std::string address;
  const std::uint16_t port;
  TlsAlpn01Responder responder;

  std::mutex mutex;  // guards what follows, and makes start and stop happen one at a time
  // (identifier, key authorization) -> successful present() calls not yet cleaned up: the
  // listener runs while this is not empty.
  std::map<std::pair<std::string, std::string>, int> presented;
  std::unique_ptr<tlsalpn01::HandshakeListener> listener;
};

void TlsAlpn01StandaloneSolver::Impl::present(const ChallengeTask& task) {
  std::lock_guard<std::mutex> lock(mutex);
  responder.present(task);
  if (!listener) {
    try {
      listener = std::make_unique<tlsalpn01::HandshakeListener>(
          address, port, make_challenge_context(responder, core::host_port(address, port)));
    } catch (...) {
      responder.cleanup(task);
      throw;
    }
  }
  ++presented[{task.identifier, task.key_authorization}];
}

void TlsAlpn01StandaloneSolver::Impl::cleanup(const ChallengeTask& task) noexcept {
  std::lock_guard<std::mutex> lock(mutex);
  const auto found = presented.find({task.identifier, task.key_authorization});
  if (found == presented.end()) return;  // present() failed or was never called
  responder.cleanup(task);
  if (--found->second == 0) presented.erase(found);
  if (presented.empty()) listener.reset();
}

TlsAlpn01StandaloneSolver::TlsAlpn01StandaloneSolver(std::string address, std::uint16_t port)
    : impl_(std::make_unique<Impl>(std::move(address), port)) {}

TlsAlpn01StandaloneSolver::~TlsAlpn01StandaloneSolver() = default;

void TlsAlpn01StandaloneSolver::present(const ChallengeTask& task) {
  impl_->present(task);
}

void TlsAlpn01StandaloneSolver::cleanup(const ChallengeTask& task) noexcept {
  impl_->cleanup(task);
}

}  // namespace acmecpp
