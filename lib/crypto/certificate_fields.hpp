// SPDX-License-Identifier: Apache-2.0
#pragma once
// The fields of an X.509 certificate located in its DER without decoding the whole certificate.
// d2i_X509 in OpenSSL 3 decodes the subject public key through the provider decoders, about a
// million instructions a certificate: checking ten thousand stored certificates for renewal
// would spend seconds on keys it never uses. Here each field is decoded only when asked for.

#include <chrono>
#include <string>
#include <string_view>

#include <openssl/asn1.h>

#include "crypto/openssl_ptr.hpp"

namespace acmecpp::crypto {

/// One DER element (tag, length and content) inside a certificate's bytes.
struct DerSpan {
  const unsigned char* data = nullptr;
  long size = 0;

  bool empty() const { return size == 0; }
};

/// Where the TBSCertificate's fields lie in `der` (RFC 5280 section 4.1); the bytes must
/// outlive it. `extensions` is the SEQUENCE OF Extension, empty when the certificate has none.
struct CertificateFields {
  DerSpan serial, issuer, not_before, not_after, subject, public_key, extensions;
};

/// The DER of one PEM block ("-----BEGIN CERTIFICATE-----"...). Throws Error(crypto) with
/// `what` when it is not one.
std::string certificate_der_of_pem_block(std::string_view pem_block, const std::string& what);

/// Locates the fields, checking the layout: Certificate, TBSCertificate, AlgorithmIdentifier,
/// BIT STRING, nothing after. Throws Error(crypto) with `what` when it does not hold.
CertificateFields locate_certificate_fields(std::string_view der, const std::string& what);

std::chrono::system_clock::time_point decode_time(const DerSpan& time);
X509NamePtr decode_name(const DerSpan& name);
/// A name as one line, RFC 2253 ("CN=...,O=..."), non-ASCII characters kept as UTF-8.
std::string one_line_rfc2253(const X509_NAME* name);
/// The serial as lower-case hex without leading zeros ("-" first when negative).
std::string decode_serial_hex(const DerSpan& serial);
/// The serial INTEGER's content octets (what ARI's certificate ID encodes).
std::string serial_content_octets(const DerSpan& serial);
/// The value (the DER inside extnValue) of the extension `nid`; empty when the certificate does
/// not have it, or has it more than once (as X509V3_get_d2i treats that).
DerSpan find_extension_value(const DerSpan& extensions, int nid);
/// "ec256", "ec384", "rsa<bits>", else what describe_key_type() says of the decoded key.
std::string public_key_type(const DerSpan& subject_public_key_info);

}  // namespace acmecpp::crypto
