// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/alpn_wire.hpp"

#include <algorithm>

#include "acmecpp/error.hpp"
#include "acmecpp/tlsalpn01.hpp"

namespace acmecpp::tlsalpn01 {
namespace {

constexpr std::size_t kMaxProtocolLength = 255;  // one length byte

}  // namespace

std::optional<std::vector<std::string_view>> parse_alpn_wire(std::string_view wire) {
  std::vector<std::string_view> protocols;
  while (!wire.empty()) {
    const auto length = static_cast<unsigned char>(wire.front());
    wire.remove_prefix(1);
    if (length == 0 || length > wire.size()) return std::nullopt;
    protocols.push_back(wire.substr(0, length));
    wire.remove_prefix(length);
  }
  return protocols;
}

std::string encode_alpn_wire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const auto& protocol : protocols) {
    if (protocol.empty() || protocol.size() > kMaxProtocolLength) {
      throw Error(ErrorKind::invalid_input,
                  "ALPN protocol name \"" + protocol + "\" must be 1 to 255 bytes long");
    }
    wire += static_cast<char>(protocol.size());
    wire += protocol;
  }
  return wire;
}

bool offers_acme_tls(std::string_view wire) {
  const auto protocols = parse_alpn_wire(wire);
  return protocols &&
         std::find(protocols->begin(), protocols->end(), kAcmeTlsAlpnProtocol) != protocols->end();
}

}  // namespace acmecpp::tlsalpn01
