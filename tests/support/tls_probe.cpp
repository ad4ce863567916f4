// SPDX-License-Identifier: Apache-2.0
#include "support/tls_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <memory>
#include <system_error>

#include "acmecpp/error.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::testing {

using core::UniqueFd;

namespace {

using tlsalpn01::SslCtxPtr;
using tlsalpn01::SslPtr;

UniqueFd connect_loopback(std::uint16_t port, std::chrono::milliseconds timeout) {
  UniqueFd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket) throw Error(ErrorKind::network, "socket: " + std::to_string(errno));
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  setsockopt(socket.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    throw Error(ErrorKind::network, "cannot connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                        std::generic_category().message(errno));
  }
  return socket;
}

std::string alpn_wire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const auto& protocol : protocols) {
    wire += static_cast<char>(protocol.size());
    wire += protocol;
  }
  return wire;
}

/// Every reason in OpenSSL's error queue (emptying it), or the errno text.
std::string handshake_error(int ssl_error) {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    text += (text.empty() ? "" : "; ") + std::string(reason ? reason : "unknown");
  }
  if (text.empty() && ssl_error == SSL_ERROR_SYSCALL) {
    text = errno != 0 ? std::generic_category().message(errno) : "connection closed";
  }
  return text.empty() ? "SSL error " + std::to_string(ssl_error) : text;
}

}  // namespace

TlsProbeResult tls_probe(std::uint16_t port, const std::string& server_name,
                         const std::vector<std::string>& alpn, const TlsProbeOptions& options) {
  SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
  if (!context) throw Error(ErrorKind::crypto, "SSL_CTX_new failed");
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  if (!options.signature_algorithms.empty() &&
      SSL_CTX_set1_sigalgs_list(context.get(), options.signature_algorithms.c_str()) != 1) {
    throw Error(ErrorKind::invalid_input,
                "bad signature algorithms: " + options.signature_algorithms);
  }
  if (options.max_version != 0 &&
      SSL_CTX_set_max_proto_version(context.get(), options.max_version) != 1) {
    throw Error(ErrorKind::invalid_input, "bad TLS version " + std::to_string(options.max_version));
  }
  UniqueFd socket = connect_loopback(port, options.timeout);
  SslPtr ssl(SSL_new(context.get()));
  if (!ssl || SSL_set_fd(ssl.get(), socket.get()) != 1) {
    throw Error(ErrorKind::crypto, "SSL_new failed");
  }
  if (!server_name.empty()) SSL_set_tlsext_host_name(ssl.get(), server_name.c_str());
  const std::string wire = alpn_wire(alpn);
  if (!wire.empty()) {
    // Unlike almost everything else in OpenSSL, 0 means success here.
    SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned int>(wire.size()));
  }

  TlsProbeResult result;
  ERR_clear_error();
  errno = 0;
  const int connected = SSL_connect(ssl.get());
  if (connected != 1) {
    result.error = handshake_error(SSL_get_error(ssl.get(), connected));
    return result;
  }
  result.completed = true;
  const unsigned char* selected = nullptr;
  unsigned int selected_length = 0;
  SSL_get0_alpn_selected(ssl.get(), &selected, &selected_length);
  if (selected_length > 0)
    result.alpn.assign(reinterpret_cast<const char*>(selected), selected_length);
  result.peer_certificate.reset(SSL_get1_peer_certificate(ssl.get()));
  if (const STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get())) {
    result.peer_chain_length = sk_X509_num(chain);
  }
  // No close_notify: writing to a server that already closed would raise SIGPIPE in the test
  // process. Closing the socket is all a validator does, too.
  return result;
}

bool tcp_port_accepts(std::uint16_t port) {
  try {
    connect_loopback(port, std::chrono::seconds(2));
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace acmecpp::testing
