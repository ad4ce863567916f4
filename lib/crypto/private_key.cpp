// SPDX-License-Identifier: Apache-2.0
#include <array>
#include <optional>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "crypto/key_family.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp {
namespace {

using crypto::EvpPkeyPtr;
using crypto::KeyFamily;

constexpr const char* kRsaLabel = "RSA PRIVATE KEY";
constexpr const char* kEcLabel = "EC PRIVATE KEY";
constexpr const char* kPkcs8Label = "PRIVATE KEY";
constexpr const char* kExpectedLabels =
    "expected \"RSA PRIVATE KEY\", \"EC PRIVATE KEY\" or \"PRIVATE KEY\"";

// Key bytes pass through temporary buffers while converting; wipe them rather than leave a copy
// of the key in freed memory.
void wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

void require_supported(const EVP_PKEY* key) {
  if (crypto::key_family(key) != KeyFamily::other) return;
  throw Error(ErrorKind::crypto, "unsupported key type " + crypto::describe_key_type(key) +
                                     ": acmecpp handles RSA and ECDSA P-256/P-384 keys");
}

std::shared_ptr<EVP_PKEY> share_supported(EvpPkeyPtr key) {
  require_supported(key.get());
  return std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free);
}

EvpPkeyPtr generate_native(KeyType type) {
  switch (type) {
    case KeyType::ec256:
      return EvpPkeyPtr(EVP_EC_gen("P-256"));
    case KeyType::ec384:
      return EvpPkeyPtr(EVP_EC_gen("P-384"));
    case KeyType::rsa2048:
      return EvpPkeyPtr(EVP_RSA_gen(2048));
    case KeyType::rsa3072:
      return EvpPkeyPtr(EVP_RSA_gen(3072));
    case KeyType::rsa4096:
      return EvpPkeyPtr(EVP_RSA_gen(4096));
  }
  return nullptr;
}

// The DER must be one key and nothing else: trailing bytes mean the input is not what we think.
EvpPkeyPtr require_whole_input(EvpPkeyPtr key, const unsigned char* end_of_key,
                               std::string_view der, const char* form) {
  if (!key) crypto::throw_openssl_error(std::string("cannot decode ") + form + " private key");
  const auto* end = reinterpret_cast<const unsigned char*>(der.data()) + der.size();
  if (end_of_key != end) {
    throw Error(ErrorKind::crypto, std::string(form) + " private key is followed by " +
                                       std::to_string(end - end_of_key) + " unexpected bytes");
  }
  return key;
}

EvpPkeyPtr decode_traditional(int type, std::string_view der, const char* form) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr key(d2i_PrivateKey(type, nullptr, &cursor, static_cast<long>(der.size())));
  return require_whole_input(std::move(key), cursor, der, form);
}

EvpPkeyPtr decode_pkcs8(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  crypto::Pkcs8InfoPtr info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &cursor, static_cast<long>(der.size())));
  if (!info) crypto::throw_openssl_error("cannot decode PKCS#8 private key");
  EvpPkeyPtr key(EVP_PKCS82PKEY(info.get()));
  return require_whole_input(std::move(key), cursor, der, "PKCS#8");
}

EvpPkeyPtr decode_by_label(const std::string& label, std::string_view der) {
  if (label == kRsaLabel) return decode_traditional(EVP_PKEY_RSA, der, "PKCS#1 RSA");
  if (label == kEcLabel) return decode_traditional(EVP_PKEY_EC, der, "SEC1 EC");
  return decode_pkcs8(der);
}

struct PemBlock {
  std::string label;
  std::string headers;
  std::string der;
  ~PemBlock() { wipe(der); }
};

// Next PEM block of the BIO, or nullopt when there is none left.
std::optional<PemBlock> read_pem_block(BIO* bio) {
  char* name = nullptr;
  char* headers = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  if (PEM_read_bio(bio, &name, &headers, &data, &length) != 1) {
    const unsigned long code = ERR_peek_last_error();
    if (ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE) {
      ERR_clear_error();
      return std::nullopt;
    }
    crypto::throw_openssl_error("malformed PEM block");
  }
  crypto::OpenSslCharPtr name_owner(name), headers_owner(headers);
  crypto::OpenSslBytePtr data_owner(data);
  std::optional<PemBlock> block(std::in_place);
  block->label = name;
  block->headers = headers;
  block->der.assign(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
  OPENSSL_cleanse(data, static_cast<std::size_t>(length));
  return block;
}

bool is_key_label(const std::string& label) {
  return label == kRsaLabel || label == kEcLabel || label == kPkcs8Label;
}

// Finds the key block, skipping the "EC PARAMETERS" block `openssl ecparam -genkey` writes first.
EvpPkeyPtr decode_pem(std::string_view pem) {
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) crypto::throw_openssl_error("cannot read PEM");
  while (auto block = read_pem_block(bio.get())) {
    if (block->label == "EC PARAMETERS") continue;
    if (block->label == "ENCRYPTED PRIVATE KEY" ||
        block->headers.find("ENCRYPTED") != std::string::npos) {
      throw Error(ErrorKind::crypto, "encrypted private keys are not supported; decrypt it first");
    }
    if (!is_key_label(block->label)) {
      throw Error(ErrorKind::crypto, "PEM block \"" + block->label + "\" is not a private key (" +
                                         kExpectedLabels + ")");
    }
    return decode_by_label(block->label, block->der);
  }
  throw Error(
      ErrorKind::crypto,
      std::string("no PEM block found where a private key was expected (") + kExpectedLabels + ")");
}

// PKCS#1 for RSA, SEC1 for EC: i2d_PrivateKey's "traditional" encoding.
std::string traditional_der(const EVP_PKEY* key) {
  const int length = i2d_PrivateKey(key, nullptr);
  if (length <= 0) crypto::throw_openssl_error("cannot encode private key");
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PrivateKey(key, &cursor) != length)
    crypto::throw_openssl_error("cannot encode private key");
  return der;
}

// A "secure memory" BIO wipes its buffer when freed, so the written key does not linger.
crypto::BioPtr new_secret_bio() {
  crypto::BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) crypto::throw_openssl_error("cannot allocate memory BIO");
  return bio;
}

}  // namespace

PrivateKey PrivateKey::generate(KeyType type) {
  EvpPkeyPtr key = generate_native(type);
  if (!key) crypto::throw_openssl_error("cannot generate " + to_string(type) + " key");
  return PrivateKey(share_supported(std::move(key)));
}

PrivateKey PrivateKey::from_pem(std::string_view pem) {
  return PrivateKey(share_supported(decode_pem(pem)));
}

PrivateKey PrivateKey::from_der(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &cursor, static_cast<long>(der.size())));
  if (!key) {
    crypto::throw_openssl_error("DER is not a PKCS#1, SEC1 or PKCS#8 private key (" +
                                std::to_string(der.size()) + " bytes)");
  }
  return PrivateKey(share_supported(require_whole_input(std::move(key), cursor, der, "DER")));
}

PrivateKey PrivateKey::from_native(EVP_PKEY* key) {
  if (key == nullptr) throw Error(ErrorKind::crypto, "no OpenSSL key given");
  require_supported(key);
  if (EVP_PKEY_up_ref(key) != 1) crypto::throw_openssl_error("cannot share OpenSSL key");
  return PrivateKey(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free));
}

std::string PrivateKey::to_pem() const {
  std::string der = traditional_der(key_.get());
  auto bio = new_secret_bio();
  const int written = PEM_write_bio(bio.get(), is_rsa() ? kRsaLabel : kEcLabel, "",
                                    reinterpret_cast<const unsigned char*>(der.data()),
                                    static_cast<long>(der.size()));
  wipe(der);
  if (written <= 0) crypto::throw_openssl_error("cannot write private key PEM");
  return crypto::bio_to_string(bio.get());
}

std::string PrivateKey::to_pkcs8_pem() const {
  auto bio = new_secret_bio();
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
      1) {
    crypto::throw_openssl_error("cannot write PKCS#8 private key PEM");
  }
  return crypto::bio_to_string(bio.get());
}

std::string PrivateKey::to_der() const {
  return traditional_der(key_.get());
}

KeyType PrivateKey::type() const {
  switch (crypto::key_family(key_.get())) {
    case KeyFamily::ec_p256:
      return KeyType::ec256;
    case KeyFamily::ec_p384:
      return KeyType::ec384;
    default:
      break;
  }
  const int size = bits();
  if (size >= 4096) return KeyType::rsa4096;
  if (size >= 3072) return KeyType::rsa3072;
  return KeyType::rsa2048;
}

bool PrivateKey::is_rsa() const {
  return crypto::key_family(key_.get()) == KeyFamily::rsa;
}

int PrivateKey::bits() const {
  return EVP_PKEY_get_bits(key_.get());
}

}  // namespace acmecpp
