// SPDX-License-Identifier: Apache-2.0
#include "crypto/ari_cert_id.hpp"

#include <openssl/pem.h>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "crypto/certificate_fields.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp::crypto {
namespace {

constexpr std::string_view kPemMarker = "-----BEGIN";

X509Ptr read_pem_leaf(std::string_view pem) {
  const std::string leaf = split_pem_chain(pem).front();
  BioPtr bio(BIO_new_mem_buf(leaf.data(), static_cast<int>(leaf.size())));
  X509Ptr certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!certificate) throw_openssl_error("the certificate's PEM does not hold a valid certificate");
  return certificate;
}

X509Ptr read_der(std::string_view der) {
  auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr certificate(d2i_X509(nullptr, &bytes, static_cast<long>(der.size())));
  if (!certificate) throw_openssl_error("the certificate is neither PEM nor valid DER");
  return certificate;
}

X509Ptr read_certificate(std::string_view pem_or_der) {
  if (pem_or_der.find(kPemMarker) != std::string_view::npos) return read_pem_leaf(pem_or_der);
  return read_der(pem_or_der);
}

template <typename Encode, typename Object>
std::string encode_der(Encode encode, Object* object, const char* what) {
  unsigned char* buffer = nullptr;
  const int length = encode(object, &buffer);
  if (length <= 0) throw_openssl_error(std::string("cannot encode ") + what);
  OpenSslBytePtr owner(buffer);
  return std::string(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
}

using AuthorityKeyIdPtr = core::CHandle<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;

std::string authority_key_identifier(const DerSpan& extensions) {
  const DerSpan value = find_extension_value(extensions, NID_authority_key_identifier);
  const unsigned char* at = value.data;
  const AuthorityKeyIdPtr authority(value.empty() ? nullptr
                                                  : d2i_AUTHORITY_KEYID(nullptr, &at, value.size));
  const ASN1_OCTET_STRING* key_id = authority ? authority->keyid : nullptr;
  if (key_id == nullptr || ASN1_STRING_length(key_id) <= 0) {
    throw Error(ErrorKind::crypto,
                "the certificate has no Authority Key Identifier, so it has no ARI certificate ID");
  }
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(key_id)),
                     static_cast<std::size_t>(ASN1_STRING_length(key_id)));
}

}  // namespace

// From the DER fields (certificate_fields.hpp): renewal checks compute this for every stored
// certificate, and a full d2i_X509 costs far more than these two fields.
std::string ari_certificate_id(std::string_view certificate_pem) {
  const std::string what = "the certificate's PEM does not hold a valid certificate";
  const std::string der =
      certificate_der_of_pem_block(split_pem_chain(certificate_pem).front(), what);
  const CertificateFields fields = locate_certificate_fields(der, what);
  return core::base64url_encode(authority_key_identifier(fields.extensions)) + "." +
         core::base64url_encode(serial_content_octets(fields.serial));
}

std::string certificate_der(std::string_view pem_or_der) {
  const X509Ptr certificate = read_certificate(pem_or_der);
  return encode_der(i2d_X509, certificate.get(), "the certificate");
}

}  // namespace acmecpp::crypto
