#include "crypto/ari_cert_id.hpp"

#include <openssl/pem.h>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "core/base64.hpp"
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

// DER of an INTEGER is tag 0x02, a length (short form below 128 octets, else 0x80|n and n length
// octets), then the content octets RFC 9773 wants.
std::string integer_content_octets(const std::string& der) {
  if (der.size() < 2 || der[0] != 0x02)
    throw Error(ErrorKind::crypto, "serial is not a DER INTEGER");
  const auto first_length_octet = static_cast<unsigned char>(der[1]);
  const std::size_t header = first_length_octet < 0x80 ? 2 : 2 + (first_length_octet & 0x7f);
  if (header >= der.size()) throw Error(ErrorKind::crypto, "serial DER INTEGER is truncated");
  return der.substr(header);
}

std::string serial_content_octets(const X509* certificate) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(certificate);
  return integer_content_octets(encode_der(i2d_ASN1_INTEGER, serial, "the serial number"));
}

// Not const: OpenSSL caches the parsed extensions in the certificate on first use.
std::string authority_key_identifier(X509* certificate) {
  const ASN1_OCTET_STRING* key_id = X509_get0_authority_key_id(certificate);
  if (key_id == nullptr || ASN1_STRING_length(key_id) <= 0) {
    throw Error(ErrorKind::crypto,
                "the certificate has no Authority Key Identifier, so it has no ARI certificate ID");
  }
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(key_id)),
                     static_cast<std::size_t>(ASN1_STRING_length(key_id)));
}

}  // namespace

std::string ari_certificate_id(std::string_view certificate_pem) {
  const X509Ptr certificate = read_pem_leaf(certificate_pem);
  return core::base64url_encode(authority_key_identifier(certificate.get())) + "." +
         core::base64url_encode(serial_content_octets(certificate.get()));
}

std::string certificate_der(std::string_view pem_or_der) {
  const X509Ptr certificate = read_certificate(pem_or_der);
  return encode_der(i2d_X509, certificate.get(), "the certificate");
}

}  // namespace acmecpp::crypto
