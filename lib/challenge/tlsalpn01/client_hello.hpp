// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a ClientHello asks for, read inside OpenSSL's client-hello callback: that callback runs
// before OpenSSL has processed SNI and ALPN, so both come from the raw extensions.

#include <string>
#include <string_view>

#include <openssl/ssl.h>

namespace acmecpp::tlsalpn01 {

struct ClientHelloOffer {
  std::string server_name;  ///< the SNI host_name; empty when none was sent or it is malformed
  std::string alpn_wire;    ///< the offered protocols in wire format; empty when none
};

/// Reads the ClientHello being processed; only valid inside a client-hello callback.
ClientHelloOffer read_client_hello(SSL* ssl);

/// The host_name of a server_name extension body (RFC 6066 section 3); empty when it has none or
/// is malformed.
std::string parse_server_name_extension(std::string_view body);

/// The protocol list of an ALPN extension body (RFC 7301 section 3.1: a two-byte length, then
/// the list); empty when malformed.
std::string_view parse_alpn_extension(std::string_view body);

}  // namespace acmecpp::tlsalpn01
