// SPDX-License-Identifier: Apache-2.0
#pragma once
// A server's ALPN choice inside OpenSSL's ALPN select callback: the server's list, most preferred
// first, against the protocols the client offered (wire format, as OpenSSL passes them).

#include <string>
#include <string_view>
#include <vector>

namespace acmecpp::tlsalpn01 {

/// Points *out at `protocol` inside the client's list `in`; false when the client did not offer it
/// (or the list is malformed). OpenSSL copies the selection before `in` goes away.
bool select_offered(std::string_view protocol, const unsigned char* in, unsigned int inlen,
                    const unsigned char** out, unsigned char* outlen);

/// Selects the first of `preferred` the client offered: SSL_TLSEXT_ERR_OK, or SSL_TLSEXT_ERR_NOACK
/// when there is none in common (like most servers: no ALPN then, not a failed handshake).
int select_preferred(const std::vector<std::string>& preferred, const unsigned char* in,
                     unsigned int inlen, const unsigned char** out, unsigned char* outlen);

/// `protocols` if they can be a server's list for normal handshakes; otherwise throws
/// Error(invalid_input) naming the first that is empty, longer than 255 bytes or "acme-tls/1"
/// (which is only for validations). `setting` names the option in the message.
std::vector<std::string> checked_server_protocols(const std::vector<std::string>& protocols,
                                                  const std::string& setting);

}  // namespace acmecpp::tlsalpn01
