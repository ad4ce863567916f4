// SPDX-License-Identifier: Apache-2.0
// The management layer is the one that sees every layer below, so it gathers what each layer
// reports about the library it uses.
#include "acmecpp/linked_libraries.hpp"

#include <utility>

#include "challenge/dns01/library_version.hpp"
#include "core/library_version.hpp"
#include "crypto/library_version.hpp"
#include "http/library_version.hpp"

namespace acmecpp {

std::vector<LinkedLibrary> linked_libraries() {
  std::vector<LinkedLibrary> libraries{{"OpenSSL", crypto::openssl_version()},
                                       {"libcurl", http::curl_version()}};
  if (auto nghttp2 = http::nghttp2_version(); !nghttp2.empty()) {
    libraries.push_back({"nghttp2", std::move(nghttp2)});
  }
  libraries.push_back({"libidn2", core::idn2_version()});
  libraries.push_back({"ldns", dns01::ldns_version()});
  return libraries;
}

}  // namespace acmecpp
