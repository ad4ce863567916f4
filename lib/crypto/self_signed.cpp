// SPDX-License-Identifier: Apache-2.0
#include "crypto/self_signed.hpp"

#include <openssl/pem.h>

#include "acmecpp/error.hpp"
#include "crypto/openssl_ptr.hpp"
#include "crypto/x509_builders.hpp"

namespace acmecpp::crypto {
namespace {

constexpr int kSerialBits = 127;  // positive and at most 16 bytes, as RFC 5280 asks (<= 20)

// Who signs: the subject itself, or a CA given as key + certificate.
struct Signer {
  EVP_PKEY* key;
  X509Ptr certificate;  // empty when self-signed
};

Signer resolve_signer(const PrivateKey& subject_key, const CertificateOptions& options) {
  if (options.issuer_key == nullptr) {
    if (!options.issuer_certificate_pem.empty()) {
      throw Error(ErrorKind::invalid_input, "an issuer certificate needs its issuer key");
    }
    return {subject_key.native(), nullptr};
  }
  if (options.issuer_certificate_pem.empty()) {
    throw Error(ErrorKind::invalid_input, "an issuer key needs its issuer certificate");
  }
  const std::string& pem = options.issuer_certificate_pem;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!certificate) throw_openssl_error("issuer certificate PEM is not a certificate");
  if (X509_check_private_key(certificate.get(), options.issuer_key->native()) != 1) {
    throw_openssl_error("issuer key does not match the issuer certificate");
  }
  return {options.issuer_key->native(), std::move(certificate)};
}

std::string subject_common_name(const CertificateOptions& options) {
  if (!options.common_name.empty()) return options.common_name;
  if (options.dns_names.empty()) {
    throw Error(ErrorKind::invalid_input, "a certificate needs a DNS name or a common name");
  }
  return common_name_candidate(options.dns_names);
}

void set_random_serial(X509* certificate) {
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) == nullptr) {
    throw_openssl_error("cannot set a random serial number");
  }
}

void set_validity(X509* certificate, const CertificateOptions& options) {
  using std::chrono::system_clock;
  if (!options.no_expiration && options.not_after <= options.not_before) {
    throw Error(ErrorKind::invalid_input, "certificate notAfter must be later than notBefore");
  }
  ASN1_TIME* not_after = X509_getm_notAfter(certificate);
  const bool not_after_set =
      options.no_expiration
          ? ASN1_TIME_set_string_X509(not_after, "99991231235959Z") == 1
          : ASN1_TIME_set(not_after, system_clock::to_time_t(options.not_after)) != nullptr;
  if (ASN1_TIME_set(X509_getm_notBefore(certificate),
                    system_clock::to_time_t(options.not_before)) == nullptr ||
      !not_after_set) {
    throw_openssl_error("cannot set certificate validity");
  }
}

void set_names(X509* certificate, const std::string& common_name, const Signer& signer) {
  X509NamePtr subject =
      common_name.empty() ? X509NamePtr(X509_NAME_new()) : make_common_name(common_name);
  if (!subject || X509_set_subject_name(certificate, subject.get()) != 1) {
    throw_openssl_error("cannot set certificate subject");
  }
  const X509_NAME* issuer =
      signer.certificate ? X509_get_subject_name(signer.certificate.get()) : subject.get();
  if (X509_set_issuer_name(certificate, issuer) != 1) {
    throw_openssl_error("cannot set certificate issuer");
  }
}

void add_extension(X509* certificate, X509ExtensionPtr extension) {
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1) {
    throw_openssl_error("cannot add certificate extension");
  }
}

// Extensions OpenSSL can derive from a config-style value ("critical,CA:TRUE", "hash", ...).
void add_configured_extension(X509* certificate, X509V3_CTX* context, int nid, const char* value) {
  X509ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, context, nid, value));
  if (!extension) throw_openssl_error(std::string("cannot build extension ") + OBJ_nid2sn(nid));
  add_extension(certificate, std::move(extension));
}

void add_role_extensions(X509* certificate, const Signer& signer, bool is_ca, bool is_rsa) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, signer.certificate ? signer.certificate.get() : certificate, certificate,
                 nullptr, nullptr, 0);
  if (is_ca) {
    add_configured_extension(certificate, &context, NID_basic_constraints, "critical,CA:TRUE");
    add_configured_extension(certificate, &context, NID_key_usage,
                             "critical,keyCertSign,cRLSign,digitalSignature");
  } else {
    add_configured_extension(certificate, &context, NID_basic_constraints, "critical,CA:FALSE");
    // RSA key exchange (TLS 1.2 without ECDHE) needs keyEncipherment; ECDSA keys never do.
    add_configured_extension(
        certificate, &context, NID_key_usage,
        is_rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature");
    add_configured_extension(certificate, &context, NID_ext_key_usage, "serverAuth");
  }
  add_configured_extension(certificate, &context, NID_subject_key_identifier, "hash");
  if (signer.certificate) {
    add_configured_extension(certificate, &context, NID_authority_key_identifier, "keyid");
  }
}

std::string to_pem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) {
    throw_openssl_error("cannot write certificate PEM");
  }
  return bio_to_string(bio.get());
}

}  // namespace

std::string make_certificate_pem(const PrivateKey& subject_key, const CertificateOptions& options) {
  const Signer signer = resolve_signer(subject_key, options);
  const std::string common_name = subject_common_name(options);
  X509Ptr certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1) {
    throw_openssl_error("cannot create certificate");
  }
  set_random_serial(certificate.get());
  set_validity(certificate.get(), options);
  set_names(certificate.get(), common_name, signer);
  if (X509_set_pubkey(certificate.get(), subject_key.native()) != 1) {
    throw_openssl_error("cannot set certificate public key");
  }
  const bool is_ca = options.is_ca.value_or(!signer.certificate);
  add_role_extensions(certificate.get(), signer, is_ca, subject_key.is_rsa());
  if (!options.dns_names.empty()) {
    add_extension(certificate.get(), make_san_extension(options.dns_names, common_name.empty()));
  }
  if (options.acme_identifier_digest) {
    add_extension(certificate.get(),
                  make_acme_identifier_extension(*options.acme_identifier_digest));
  }
  if (X509_sign(certificate.get(), signer.key, EVP_sha256()) <= 0) {
    throw_openssl_error("cannot sign certificate");
  }
  return to_pem(certificate.get());
}

std::string make_certificate_pem(const PrivateKey& subject_key,
                                 const std::vector<std::string>& dns_names,
                                 std::chrono::system_clock::time_point not_before,
                                 std::chrono::system_clock::time_point not_after,
                                 const PrivateKey* issuer_key, const std::string* issuer_cert_pem,
                                 const std::optional<std::string>& acme_identifier_digest) {
  CertificateOptions options;
  options.dns_names = dns_names;
  options.not_before = not_before;
  options.not_after = not_after;
  options.issuer_key = issuer_key;
  if (issuer_cert_pem != nullptr) options.issuer_certificate_pem = *issuer_cert_pem;
  options.acme_identifier_digest = acme_identifier_digest;
  return make_certificate_pem(subject_key, options);
}

}  // namespace acmecpp::crypto
