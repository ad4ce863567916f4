// SPDX-License-Identifier: Apache-2.0
#include "crypto/openssl_ptr.hpp"

#include <openssl/err.h>

#include "acmecpp/error.hpp"

namespace acmecpp::crypto {
namespace {

// "library: reason" reads better than the packed "error:1E08010C:..." form; the packed form is the
// fallback for codes OpenSSL has no strings for.
std::string describe_error(unsigned long code) {
  const char* library = ERR_lib_error_string(code);
  const char* reason = ERR_reason_error_string(code);
  if (library != nullptr && reason != nullptr) return std::string(library) + ": " + reason;
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

// Drains the whole queue so a later operation does not report this one's leftovers.
std::string drain_error_queue() {
  std::string details;
  while (const unsigned long code = ERR_get_error()) {
    if (!details.empty()) details += "; ";
    details += describe_error(code);
  }
  return details;
}

}  // namespace

void throw_openssl_error(const std::string& what) {
  const std::string details = drain_error_queue();
  throw Error(ErrorKind::crypto, details.empty() ? what : what + " (" + details + ")");
}

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace acmecpp::crypto
