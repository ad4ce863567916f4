// SPDX-License-Identifier: Apache-2.0
#include "crypto/ecdsa_signature.hpp"

#include "acmecpp/error.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp::crypto {
namespace {

void append_padded(std::string& out, const BIGNUM* value, int width) {
  std::string bytes(static_cast<std::size_t>(width), '\0');
  if (BN_bn2binpad(value, reinterpret_cast<unsigned char*>(bytes.data()), width) != width) {
    throw Error(ErrorKind::crypto, "ECDSA signature component does not fit the curve size");
  }
  out += bytes;
}

BignumPtr to_bignum(std::string_view bytes) {
  BignumPtr value(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), nullptr));
  if (!value) throw_openssl_error("cannot read ECDSA signature component");
  return value;
}

}  // namespace

std::string ecdsa_der_to_raw(std::string_view der, int field_bytes) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr signature(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (!signature) throw_openssl_error("cannot decode DER ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(signature.get(), &r, &s);
  std::string raw;
  raw.reserve(2 * static_cast<std::size_t>(field_bytes));
  append_padded(raw, r, field_bytes);
  append_padded(raw, s, field_bytes);
  return raw;
}

std::optional<std::string> ecdsa_raw_to_der(std::string_view raw, int field_bytes) {
  const auto width = static_cast<std::size_t>(field_bytes);
  if (field_bytes <= 0 || raw.size() != 2 * width) return std::nullopt;
  BignumPtr r = to_bignum(raw.substr(0, width));
  BignumPtr s = to_bignum(raw.substr(width));
  EcdsaSigPtr signature(ECDSA_SIG_new());
  if (!signature || ECDSA_SIG_set0(signature.get(), r.get(), s.get()) != 1) {
    throw_openssl_error("cannot build ECDSA signature");
  }
  // ECDSA_SIG_set0 took ownership of r and s.
  r.release();
  s.release();
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(signature.get(), &der);
  if (length <= 0) throw_openssl_error("cannot encode ECDSA signature");
  OpenSslBytePtr der_owner(der);
  return std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
}

}  // namespace acmecpp::crypto
