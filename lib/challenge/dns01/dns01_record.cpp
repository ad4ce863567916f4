// SPDX-License-Identifier: Apache-2.0
// The two pure functions of DNS-01 (RFC 8555 section 8.4): what to publish, and where.

#include "acmecpp/dns01.hpp"
#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "crypto/jose.hpp"

namespace acmecpp {

std::string dns01_txt_value(const std::string& key_authorization) {
  return core::base64url_encode(crypto::sha256(key_authorization));
}

std::string dns01_record_name(const std::string& identifier) {
  std::string name = identifier;
  // Callers pass the authorization's identifier, which never has these; tolerating them makes a
  // name copied from an order ("*.example.com") or a zone file ("example.com.") work too.
  if (name.rfind("*.", 0) == 0) name.erase(0, 2);
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.empty()) {
    throw Error(ErrorKind::invalid_input,
                "DNS-01 record name: empty identifier '" + identifier + "'");
  }
  return "_acme-challenge." + name + ".";
}

}  // namespace acmecpp
