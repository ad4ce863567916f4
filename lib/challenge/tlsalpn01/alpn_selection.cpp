// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/alpn_selection.hpp"

#include <openssl/ssl.h>

#include <algorithm>

#include "acmecpp/error.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/alpn_wire.hpp"

namespace acmecpp::tlsalpn01 {

bool select_offered(std::string_view protocol, const unsigned char* in, unsigned int inlen,
                    const unsigned char** out, unsigned char* outlen) {
  const auto offered = parse_alpn_wire(wire_view(in, inlen));
  if (!offered) return false;
  const auto found = std::find(offered->begin(), offered->end(), protocol);
  if (found == offered->end()) return false;
  *out = reinterpret_cast<const unsigned char*>(found->data());
  *outlen = static_cast<unsigned char>(found->size());
  return true;
}

int select_preferred(const std::vector<std::string>& preferred, const unsigned char* in,
                     unsigned int inlen, const unsigned char** out, unsigned char* outlen) {
  for (const auto& protocol : preferred) {
    if (select_offered(protocol, in, inlen, out, outlen)) return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

std::vector<std::string> checked_server_protocols(const std::vector<std::string>& protocols,
                                                  const std::string& setting) {
  encode_alpn_wire(protocols);  // throws for empty or over-long names
  for (const auto& protocol : protocols) {
    if (protocol == kAcmeTlsAlpnProtocol) {
      throw Error(ErrorKind::invalid_input, "\"acme-tls/1\" cannot be one of the " + setting +
                                                ": it is only for validations");
    }
  }
  return protocols;
}

}  // namespace acmecpp::tlsalpn01
