// SPDX-License-Identifier: Apache-2.0
#pragma once
// RAII owners for the handles of C libraries (OpenSSL, libcurl, ldns, libidn2, libc), the one
// deleter template: a std::unique_ptr whose deleter calls the library's own free function.
// crypto/openssl_ptr.hpp, http/curl_handles.hpp and challenge/dns01/ldns_ptr.hpp name their
// handles with it.

#include <memory>

namespace acmecpp::core {

/// Calls `Free` on the pointer it is given (std::unique_ptr never passes it a null one).
template <auto Free>
struct CFree {
  template <typename T>
  void operator()(T* handle) const noexcept {
    Free(handle);
  }
};

/// An owned `T*`, released with `Free`: CHandle<X509, X509_free>, CHandle<char, std::free>.
template <typename T, auto Free>
using CHandle = std::unique_ptr<T, CFree<Free>>;

}  // namespace acmecpp::core
