// SPDX-License-Identifier: Apache-2.0
#include "crypto/certificate_fields.hpp"

#include <cstdint>
#include <cstring>
#include <optional>

#include <openssl/objects.h>
#include <openssl/pem.h>

#include "acmecpp/error.hpp"
#include "core/ascii.hpp"
#include "core/base64.hpp"
#include "core/system_time.hpp"
#include "crypto/key_family.hpp"

namespace acmecpp::crypto {
namespace {

/// The elements inside one constructed element (or a whole buffer), read in order.
struct DerReader {
  const unsigned char* at;
  const unsigned char* end;

  bool done() const { return at == end; }
};

struct Element {
  DerSpan whole;
  const unsigned char* content = nullptr;
  long content_size = 0;
  int tag = 0;
  int tag_class = 0;
};

DerReader reader_of(const DerSpan& span) {
  return {span.data, span.data + span.size};
}

DerReader inside(const Element& element) {
  return {element.content, element.content + element.content_size};
}

std::optional<Element> next(DerReader& reader, const std::string& what) {
  if (reader.done()) return std::nullopt;
  const unsigned char* content = reader.at;
  Element element;
  const int flags = ASN1_get_object(&content, &element.content_size, &element.tag,
                                    &element.tag_class, reader.end - reader.at);
  // 0x80: malformed or longer than what is left; bit 0: indefinite length, which DER forbids.
  if ((flags & 0x80) != 0 || (flags & 0x01) != 0) throw_openssl_error(what);
  element.content = content;
  element.whole = {reader.at, (content - reader.at) + element.content_size};
  reader.at = content + element.content_size;
  return element;
}

bool is_universal(const std::optional<Element>& element, int tag) {
  return element && element->tag_class == V_ASN1_UNIVERSAL && element->tag == tag;
}

Element expect(DerReader& reader, int tag, const std::string& what) {
  auto element = next(reader, what);
  if (!is_universal(element, tag)) throw Error(ErrorKind::crypto, what);
  return *element;
}

Element expect_time(DerReader& reader, const std::string& what) {
  auto element = next(reader, what);
  if (!is_universal(element, V_ASN1_UTCTIME) && !is_universal(element, V_ASN1_GENERALIZEDTIME)) {
    throw Error(ErrorKind::crypto, what + " (validity is not a time)");
  }
  return *element;
}

template <typename T, typename Decode>
T* decode(Decode d2i, const DerSpan& span, const char* what) {
  const unsigned char* at = span.data;
  T* value = d2i(nullptr, &at, span.size);
  if (value == nullptr) throw_openssl_error(std::string("cannot decode the certificate's ") + what);
  return value;
}

using Asn1IntegerPtr = core::CHandle<ASN1_INTEGER, ASN1_INTEGER_free>;

/// Bits of a positive INTEGER's content octets, as BN_num_bits counts them.
int integer_bits(const Element& integer) {
  const unsigned char* at = integer.content;
  long left = integer.content_size;
  while (left > 0 && *at == 0) {
    ++at;
    --left;
  }
  if (left == 0) return 0;
  int top_bits = 0;
  for (unsigned value = *at; value != 0; value >>= 1) ++top_bits;
  return static_cast<int>((left - 1) * 8) + top_bits;
}

/// rsaEncryption: the modulus size from RSAPublicKey in the BIT STRING (leading octet: unused
/// bits, 0); 0 when it does not read as one.
int rsa_modulus_bits(const Element& bit_string) {
  if (bit_string.content_size < 1 || bit_string.content[0] != 0) return 0;
  const std::string what = "RSA public key";
  DerReader key{bit_string.content + 1, bit_string.content + bit_string.content_size};
  DerReader numbers = inside(expect(key, V_ASN1_SEQUENCE, what));
  return integer_bits(expect(numbers, V_ASN1_INTEGER, what));
}

int object_nid(const Element& object) {
  Asn1ObjectPtr decoded(decode<ASN1_OBJECT>(d2i_ASN1_OBJECT, object.whole, "key algorithm"));
  return OBJ_obj2nid(decoded.get());
}

/// The key type read from the algorithm identifier alone where that settles it; "" otherwise.
std::string known_key_type(const DerSpan& subject_public_key_info) {
  const std::string what = "the certificate's public key is malformed";
  DerReader top = reader_of(subject_public_key_info);
  DerReader info = inside(expect(top, V_ASN1_SEQUENCE, what));
  DerReader algorithm = inside(expect(info, V_ASN1_SEQUENCE, what));
  const Element key_bits = expect(info, V_ASN1_BIT_STRING, what);
  const int nid = object_nid(expect(algorithm, V_ASN1_OBJECT, what));
  if (nid == NID_rsaEncryption) {
    const int bits = rsa_modulus_bits(key_bits);
    return bits > 0 ? "rsa" + std::to_string(bits) : std::string();
  }
  if (nid != NID_X9_62_id_ecPublicKey) return {};
  const auto curve = next(algorithm, what);
  if (!is_universal(curve, V_ASN1_OBJECT)) return {};
  switch (object_nid(*curve)) {
    case NID_X9_62_prime256v1:
      return "ec256";
    case NID_secp384r1:
      return "ec384";
    default:
      return {};
  }
}

}  // namespace

std::string certificate_der_of_pem_block(std::string_view pem_block, const std::string& what) {
  // The usual block (no headers, nothing odd) is plain base64 between the two lines; anything
  // else goes to OpenSSL's PEM reader, which also explains what is wrong.
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  const auto begin = pem_block.find(kBegin);
  const auto end = pem_block.find(kEnd);
  if (begin != std::string_view::npos && end != std::string_view::npos && begin < end) {
    const auto body = pem_block.substr(begin + kBegin.size(), end - begin - kBegin.size());
    try {
      std::string der = core::base64_decode(body);
      if (!der.empty()) return der;
    } catch (const Error&) {
      // not plain base64: OpenSSL decides below
    }
  }
  BioPtr bio(BIO_new_mem_buf(pem_block.data(), static_cast<int>(pem_block.size())));
  unsigned char* data = nullptr;
  long length = 0;
  char* name = nullptr;
  if (!bio || PEM_bytes_read_bio(&data, &length, &name, PEM_STRING_X509, bio.get(), nullptr,
                                 nullptr) != 1) {
    throw_openssl_error(what);
  }
  OpenSslBytePtr data_owner(data);
  OpenSslCharPtr name_owner(name);
  return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
}

CertificateFields locate_certificate_fields(std::string_view der, const std::string& what) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  DerReader top{bytes, bytes + der.size()};
  // Bytes after the certificate are ignored, as d2i_X509 ignores them.
  const Element certificate = expect(top, V_ASN1_SEQUENCE, what);
  DerReader outer = inside(certificate);
  const Element tbs = expect(outer, V_ASN1_SEQUENCE, what);
  expect(outer, V_ASN1_SEQUENCE, what);    // signatureAlgorithm
  expect(outer, V_ASN1_BIT_STRING, what);  // signatureValue
  if (!outer.done()) throw Error(ErrorKind::crypto, what + " (bytes after the signature)");

  DerReader reader = inside(tbs);
  auto serial = next(reader, what);
  if (serial && serial->tag_class == V_ASN1_CONTEXT_SPECIFIC && serial->tag == 0) {
    serial = next(reader, what);  // [0] version
  }
  if (!is_universal(serial, V_ASN1_INTEGER)) throw Error(ErrorKind::crypto, what);
  CertificateFields fields;
  fields.serial = serial->whole;
  expect(reader, V_ASN1_SEQUENCE, what);  // signature
  fields.issuer = expect(reader, V_ASN1_SEQUENCE, what).whole;
  DerReader validity = inside(expect(reader, V_ASN1_SEQUENCE, what));
  fields.not_before = expect_time(validity, what).whole;
  fields.not_after = expect_time(validity, what).whole;
  fields.subject = expect(reader, V_ASN1_SEQUENCE, what).whole;
  fields.public_key = expect(reader, V_ASN1_SEQUENCE, what).whole;
  while (const auto optional = next(reader, what)) {  // [1], [2] unique IDs, [3] extensions
    if (optional->tag_class != V_ASN1_CONTEXT_SPECIFIC) throw Error(ErrorKind::crypto, what);
    if (optional->tag != 3) continue;
    DerReader extensions = inside(*optional);
    fields.extensions = expect(extensions, V_ASN1_SEQUENCE, what).whole;
  }
  return fields;
}

// ASN1_TIME_diff against the epoch avoids timegm() and works for any date ASN.1 can express;
// what system_clock cannot hold (notAfter 9999-12-31) is clamped (core/system_time.hpp).
std::chrono::system_clock::time_point decode_time(const DerSpan& time) {
  Asn1TimePtr decoded(decode<ASN1_TIME>(d2i_ASN1_TIME, time, "validity"));
  Asn1TimePtr epoch(ASN1_TIME_set(nullptr, 0));
  int days = 0;
  int seconds = 0;
  if (!epoch || ASN1_TIME_diff(&days, &seconds, epoch.get(), decoded.get()) != 1) {
    throw_openssl_error("certificate has an invalid validity date");
  }
  return core::time_from_unix_seconds(std::int64_t(days) * 86400 + seconds);
}

X509NamePtr decode_name(const DerSpan& name) {
  return X509NamePtr(decode<X509_NAME>(d2i_X509_NAME, name, "name"));
}

std::string one_line_rfc2253(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // Without ESC_MSB, non-ASCII characters stay readable UTF-8 instead of \XX escapes.
  const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    throw_openssl_error("cannot print certificate name");
  }
  return bio_to_string(bio.get());
}

std::string decode_serial_hex(const DerSpan& serial) {
  Asn1IntegerPtr integer(decode<ASN1_INTEGER>(d2i_ASN1_INTEGER, serial, "serial number"));
  BignumPtr number(ASN1_INTEGER_to_BN(integer.get(), nullptr));
  OpenSslCharPtr hex(number ? BN_bn2hex(number.get()) : nullptr);
  if (!hex) throw_openssl_error("cannot read certificate serial number");
  // BN_bn2hex prints whole bytes in upper case ("0A"); we want "a".
  std::string text(hex.get());
  const bool negative = !text.empty() && text.front() == '-';
  std::string digits = text.substr(negative ? 1 : 0);
  const auto first_significant = digits.find_first_not_of('0');
  digits = first_significant == std::string::npos ? "0" : digits.substr(first_significant);
  return (negative ? "-" : "") + core::ascii_lower(digits);
}

std::string serial_content_octets(const DerSpan& serial) {
  DerReader reader = reader_of(serial);
  const Element integer = expect(reader, V_ASN1_INTEGER, "serial is not a DER INTEGER");
  return std::string(reinterpret_cast<const char*>(integer.content),
                     static_cast<std::size_t>(integer.content_size));
}

DerSpan find_extension_value(const DerSpan& extensions, int nid) {
  const std::string what = "the certificate's extensions are malformed";
  const ASN1_OBJECT* wanted = OBJ_nid2obj(nid);  // OpenSSL's own table: not ours to free
  const unsigned char* wanted_oid = OBJ_get0_data(wanted);
  const std::size_t wanted_size = OBJ_length(wanted);
  DerSpan found;
  bool seen = false;
  DerReader list = reader_of(extensions);
  if (extensions.empty()) return found;
  DerReader reader = inside(expect(list, V_ASN1_SEQUENCE, what));
  while (const auto extension = next(reader, what)) {
    if (!is_universal(extension, V_ASN1_SEQUENCE)) throw Error(ErrorKind::crypto, what);
    DerReader fields = inside(*extension);
    const Element oid = expect(fields, V_ASN1_OBJECT, what);
    if (std::size_t(oid.content_size) != wanted_size ||
        std::memcmp(oid.content, wanted_oid, wanted_size) != 0) {
      continue;
    }
    auto value = next(fields, what);
    if (is_universal(value, V_ASN1_BOOLEAN)) value = next(fields, what);  // critical
    if (!is_universal(value, V_ASN1_OCTET_STRING)) throw Error(ErrorKind::crypto, what);
    // Twice is as good as not at all, as X509V3_get_d2i has it.
    if (seen) return DerSpan{};
    seen = true;
    found = {value->content, value->content_size};
  }
  return found;
}

std::string public_key_type(const DerSpan& subject_public_key_info) {
  std::string type = known_key_type(subject_public_key_info);
  if (!type.empty()) return type;
  // Anything else (other curves, Ed25519, RSA-PSS...) is rare: OpenSSL names it.
  const unsigned char* at = subject_public_key_info.data;
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &at, subject_public_key_info.size));
  if (!key) throw_openssl_error("cannot read certificate public key");
  return describe_key_type(key.get());
}

}  // namespace acmecpp::crypto
