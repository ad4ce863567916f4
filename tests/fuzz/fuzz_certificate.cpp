// SPDX-License-Identifier: Apache-2.0
// Certificates and keys as PEM or DER, as a CA sends them and acme.json holds them: PEM chains
// (split, parsed: names, dates, serial, issuer, key type via the DER field reader), the ARI
// certificate ID, and private keys in PEM and DER. The first byte picks what. Only
// acmecpp::Error may come out.

#include <string>

#include <openssl/objects.h>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "core/system_time.hpp"
#include "crypto/ari_cert_id.hpp"
#include "crypto/certificate_fields.hpp"
#include "fuzz_support.hpp"

namespace {

void check_dates(const acmecpp::CertificateInfo& info) {
  const auto latest = acmecpp::core::latest_time();
  acmecpp::fuzz::require(info.not_after <= latest && info.not_before <= latest,
                         "a certificate date beyond the clamped range");
  acmecpp::fuzz::require(info.not_after.time_since_epoch().count() >= 0 &&
                             info.not_before.time_since_epoch().count() >= 0,
                         "a certificate date before 1970");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string input(acmecpp::fuzz::text_of(data + 1, size - 1));
  try {
    switch (data[0] % 6) {
      case 0:
        for (const auto& info : acmecpp::parse_certificate_chain(input)) check_dates(info);
        break;
      case 1: {
        // The DER field reader on raw bytes, every field decoded.
        namespace crypto = acmecpp::crypto;
        const auto fields = crypto::locate_certificate_fields(input, "certificate");
        crypto::decode_time(fields.not_before);
        crypto::decode_time(fields.not_after);
        crypto::decode_name(fields.issuer);
        crypto::decode_name(fields.subject);
        crypto::decode_serial_hex(fields.serial);
        crypto::serial_content_octets(fields.serial);
        crypto::find_extension_value(fields.extensions, NID_subject_alt_name);
        crypto::find_extension_value(fields.extensions, NID_authority_key_identifier);
        crypto::public_key_type(fields.public_key);
        break;
      }
      case 2:
        acmecpp::crypto::ari_certificate_id(input);
        acmecpp::crypto::certificate_der(input);
        break;
      case 3:
        acmecpp::PrivateKey::from_pem(input).to_der();
        break;
      case 4:
        acmecpp::PrivateKey::from_der(input).to_pem();
        break;
      default:
        check_dates(acmecpp::parse_certificate(input));
        break;
    }
  } catch (const acmecpp::Error&) {
  }
  return 0;
}
