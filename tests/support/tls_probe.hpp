// SPDX-License-Identifier: Apache-2.0
#pragma once
// A TLS client for tests: one handshake with a chosen SNI and ALPN offer against 127.0.0.1,
// reporting what the server chose and showed, without verifying anything.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "crypto/openssl_ptr.hpp"

namespace acmecpp::testing {

struct TlsProbeResult {
  bool completed = false;            ///< the handshake succeeded
  std::string alpn;                  ///< the protocol the server selected; empty when none
  crypto::X509Ptr peer_certificate;  ///< the server's certificate, when it sent one
  int peer_chain_length = 0;         ///< certificates the server sent, its own included
  std::string error;                 ///< why the handshake failed, e.g. OpenSSL's
                                     ///< "tlsv1 unrecognized name"; empty when it completed
};

struct TlsProbeOptions {
  /// When set, replaces the client's signature algorithms (OpenSSL's syntax, most preferred
  /// first, e.g. "RSA-PSS+SHA256:ECDSA+SHA256").
  std::string signature_algorithms;
  /// The newest TLS version offered, e.g. TLS1_2_VERSION; 0: the newest OpenSSL knows.
  int max_version = 0;
  /// Socket reads and writes give up after this long.
  std::chrono::milliseconds timeout{5000};
};

/// Connects to 127.0.0.1:port and runs a client handshake sending `server_name` as SNI (none
/// when empty) and offering `alpn` (no ALPN extension when empty). Throws
/// acmecpp::Error(network) when the TCP connection fails.
TlsProbeResult tls_probe(std::uint16_t port, const std::string& server_name,
                         const std::vector<std::string>& alpn, const TlsProbeOptions& options = {});

/// True when something accepts TCP connections on 127.0.0.1:port.
bool tcp_port_accepts(std::uint16_t port);

}  // namespace acmecpp::testing
