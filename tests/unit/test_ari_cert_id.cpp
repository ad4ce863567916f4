// SPDX-License-Identifier: Apache-2.0
// The ARI certificate ID (RFC 9773 section 4.1) and certificate DER for revokeCert, on
// certificates made by the openssl command and by our own builder.

#include <doctest/doctest.h>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "crypto/ari_cert_id.hpp"
#include "crypto/self_signed.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

/// A self-signed certificate whose key identifiers and serial are RFC 9773's example.
std::string rfc9773_example_certificate(const TempDir& dir) {
  const auto result = run_process(
      {"openssl",
       "req",
       "-x509",
       "-new",
       "-newkey",
       "ec",
       "-pkeyopt",
       "ec_paramgen_curve:P-256",
       "-nodes",
       "-keyout",
       (dir / "key.pem").string(),
       "-subj",
       "/CN=ari.example.test",
       "-set_serial",
       "0x87654321",
       "-days",
       "10",
       "-addext",
       "subjectKeyIdentifier=69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4",
       "-addext",
       "authorityKeyIdentifier=keyid:always",
       "-out",
       (dir / "cert.pem").string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return read_text_file(dir / "cert.pem");
}

}  // namespace

TEST_CASE("the certificate ID of RFC 9773's example") {
  TempDir dir;
  const std::string pem = rfc9773_example_certificate(dir);
  // RFC 9773 section 4.1: the serial 0x87654321 encodes with a leading zero octet.
  CHECK(crypto::ari_certificate_id(pem) == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  CHECK(acme::certificate_id(pem) == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  // Only the leaf of a chain counts.
  CHECK(acme::certificate_id(pem + pem) == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
}

TEST_CASE("a certificate without Authority Key Identifier has no certificate ID") {
  const auto key = PrivateKey::generate(KeyType::ec256);
  const auto now = std::chrono::system_clock::now();
  // Our builder adds no key identifiers.
  const std::string pem =
      crypto::make_certificate_pem(key, {"no-aki.example.test"}, now, now + std::chrono::hours(24));
  CHECK_THROWS_WITH_AS(crypto::ari_certificate_id(pem),
                       doctest::Contains("no Authority Key Identifier"), Error);
  CHECK_THROWS_AS(crypto::ari_certificate_id("not a certificate"), Error);
}

TEST_CASE("certificate_der reads PEM (the leaf) and DER alike") {
  TempDir dir;
  const std::string pem = rfc9773_example_certificate(dir);
  const std::string der = crypto::certificate_der(pem);
  CHECK(static_cast<unsigned char>(der[0]) == 0x30);  // a SEQUENCE
  CHECK(crypto::certificate_der(der) == der);
  const auto converted = run_process({"openssl", "x509", "-in", (dir / "cert.pem").string(),
                                      "-outform", "DER", "-out", (dir / "cert.der").string()});
  REQUIRE(converted.exit_code == 0);
  CHECK(read_text_file(dir / "cert.der") == der);
  CHECK_THROWS_AS(crypto::certificate_der(std::string("\x30\x03\x02\x01\x01", 5)), Error);
}
