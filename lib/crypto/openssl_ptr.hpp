// SPDX-License-Identifier: Apache-2.0
#pragma once
// RAII owners for OpenSSL handles, and the one place OpenSSL's error queue becomes an exception.

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/c_handle.hpp"

namespace acmecpp::crypto {

using BioPtr = core::CHandle<BIO, BIO_free_all>;
using BignumPtr = core::CHandle<BIGNUM, BN_free>;
using EvpPkeyPtr = core::CHandle<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = core::CHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = core::CHandle<EVP_MD_CTX, EVP_MD_CTX_free>;
using X509Ptr = core::CHandle<X509, X509_free>;
using X509ReqPtr = core::CHandle<X509_REQ, X509_REQ_free>;
using X509NamePtr = core::CHandle<X509_NAME, X509_NAME_free>;
using X509ExtensionPtr = core::CHandle<X509_EXTENSION, X509_EXTENSION_free>;
using GeneralNamesPtr = core::CHandle<GENERAL_NAMES, GENERAL_NAMES_free>;
using Asn1OctetStringPtr = core::CHandle<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using EcdsaSigPtr = core::CHandle<ECDSA_SIG, ECDSA_SIG_free>;
using Asn1ObjectPtr = core::CHandle<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1TimePtr = core::CHandle<ASN1_TIME, ASN1_TIME_free>;
using GeneralNamePtr = core::CHandle<GENERAL_NAME, GENERAL_NAME_free>;
using Asn1Ia5StringPtr = core::CHandle<ASN1_IA5STRING, ASN1_IA5STRING_free>;
using Pkcs8InfoPtr = core::CHandle<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;

/// Buffers OpenSSL allocates for us (PEM_read_bio, i2d_*, BN_bn2hex) go back through OPENSSL_free.
struct OpenSslBufferDeleter {
  void operator()(void* p) const noexcept { OPENSSL_free(p); }
};
using OpenSslCharPtr = std::unique_ptr<char, OpenSslBufferDeleter>;
using OpenSslBytePtr = std::unique_ptr<unsigned char, OpenSslBufferDeleter>;

/// A stack of extensions owns its elements, so it is freed with pop_free (a macro, hence no
/// template).
struct X509ExtensionStackDeleter {
  void operator()(STACK_OF(X509_EXTENSION) * stack) const noexcept {
    sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free);
  }
};
using X509ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), X509ExtensionStackDeleter>;

/// Throws Error(crypto) with `what` and the text of OpenSSL's error queue (which it clears).
[[noreturn]] void throw_openssl_error(const std::string& what);

/// Reads everything written to a memory BIO.
std::string bio_to_string(BIO* bio);

}  // namespace acmecpp::crypto
