// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/challenge_certificate.hpp"

#include <chrono>

#include <openssl/pem.h>

#include "acmecpp/key.hpp"
#include "crypto/jose.hpp"
#include "crypto/openssl_ptr.hpp"
#include "crypto/self_signed.hpp"

namespace acmecpp::tlsalpn01 {
namespace {

// The validator looks only at the extension and the name, not at the dates; the margin keeps a
// validator whose clock runs behind ours from seeing a certificate "not yet valid".
constexpr std::chrono::hours kBackdating{1};
constexpr std::chrono::hours kLifetime{24 * 7};

std::shared_ptr<X509> read_certificate(const std::string& pem) {
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509* certificate = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (certificate == nullptr)
    crypto::throw_openssl_error("cannot read back a challenge certificate");
  return std::shared_ptr<X509>(certificate, X509_free);
}

std::shared_ptr<EVP_PKEY> share_key(const PrivateKey& key) {
  if (EVP_PKEY_up_ref(key.native()) != 1) crypto::throw_openssl_error("cannot share a key");
  return std::shared_ptr<EVP_PKEY>(key.native(), EVP_PKEY_free);
}

}  // namespace

std::shared_ptr<const TlsAlpn01Certificate> make_challenge_certificate(
    const std::string& identifier, const std::string& key_authorization) {
  // A new key each time: generating P-256 costs well under a millisecond, and no key outlives the
  // one validation it was made for.
  const PrivateKey key = PrivateKey::generate(KeyType::ec256);
  crypto::CertificateOptions options;
  options.dns_names = {identifier};
  const auto now = std::chrono::system_clock::now();
  options.not_before = now - kBackdating;
  options.not_after = now + kLifetime;
  options.acme_identifier_digest = crypto::sha256(key_authorization);
  options.is_ca = false;
  const std::string pem = crypto::make_certificate_pem(key, options);
  return std::make_shared<const TlsAlpn01Certificate>(
      TlsAlpn01Certificate{identifier, read_certificate(pem), share_key(key)});
}

}  // namespace acmecpp::tlsalpn01
