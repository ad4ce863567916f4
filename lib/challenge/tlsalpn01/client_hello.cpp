// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/client_hello.hpp"

#include <openssl/tls1.h>

namespace acmecpp::tlsalpn01 {
namespace {

constexpr unsigned char kHostNameType = 0;  // NameType host_name (RFC 6066 section 3)

/// Reads a big-endian two-byte length and removes it from `data`; false when too short.
bool take_length16(std::string_view& data, std::size_t& length) {
  if (data.size() < 2) return false;
  length =
      (std::size_t(static_cast<unsigned char>(data[0])) << 8) | static_cast<unsigned char>(data[1]);
  data.remove_prefix(2);
  return true;
}

/// A vector<..>: a two-byte length followed by exactly that many bytes, filling `data`.
bool take_whole_vector16(std::string_view data, std::string_view& content) {
  std::size_t length = 0;
  if (!take_length16(data, length) || length != data.size()) return false;
  content = data;
  return true;
}

std::string_view extension_body(SSL* ssl, unsigned int type) {
  const unsigned char* data = nullptr;
  std::size_t length = 0;
  if (SSL_client_hello_get0_ext(ssl, type, &data, &length) != 1 || length == 0) return {};
  return std::string_view(reinterpret_cast<const char*>(data), length);
}

}  // namespace

std::string parse_server_name_extension(std::string_view body) {
  std::string_view list;
  if (!take_whole_vector16(body, list)) return {};
  while (!list.empty()) {
    const auto name_type = static_cast<unsigned char>(list.front());
    list.remove_prefix(1);
    std::size_t length = 0;
    if (!take_length16(list, length) || length > list.size()) return {};
    if (name_type == kHostNameType) return std::string(list.substr(0, length));
    list.remove_prefix(length);
  }
  return {};
}

std::string_view parse_alpn_extension(std::string_view body) {
  std::string_view list;
  return take_whole_vector16(body, list) ? list : std::string_view();
}

ClientHelloOffer read_client_hello(SSL* ssl) {
  ClientHelloOffer offer;
  offer.server_name = parse_server_name_extension(extension_body(ssl, TLSEXT_TYPE_server_name));
  offer.alpn_wire = std::string(parse_alpn_extension(
      extension_body(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation)));
  return offer;
}

}  // namespace acmecpp::tlsalpn01
