// SPDX-License-Identifier: Apache-2.0
#include <cctype>
#include <exception>
#include <iterator>
#include <mutex>
#include <unordered_map>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "acmecpp/certificate.hpp"
#include "acmecpp/certificate_cache.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp {
namespace {

std::shared_ptr<X509> read_certificate_block(const std::string& pem_block, std::size_t index) {
  crypto::BioPtr bio(BIO_new_mem_buf(pem_block.data(), static_cast<int>(pem_block.size())));
  X509* certificate = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (certificate == nullptr) {
    crypto::throw_openssl_error("certificate #" + std::to_string(index + 1) +
                                " of the chain is malformed");
  }
  return std::shared_ptr<X509>(certificate, X509_free);
}

// A CA signs with a handful of intermediates, so a server holding thousands of certificates would
// otherwise parse and keep thousands of copies of the same few: each costs a d2i_X509 (whose public
// key decoding is most of a certificate's load time in OpenSSL 3) and a few KiB. An intermediate
// is parsed once and shared, read-only, by every ServingCertificate whose chain has it, for as long
// as one of them lives; the pool itself holds it only weakly.
class IntermediatePool {
 public:
  std::shared_ptr<X509> get(const std::string& pem_block, std::size_t index) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (auto found = pool_.find(pem_block); found != pool_.end()) {
        if (auto shared = found->second.lock()) return shared;
      }
    }
    auto parsed = read_certificate_block(pem_block, index);  // not under the lock: it is slow
    std::lock_guard<std::mutex> lock(mutex_);
    std::weak_ptr<X509>& slot = pool_[pem_block];
    if (auto earlier = slot.lock()) return earlier;  // another thread parsed it meanwhile
    slot = parsed;
    if (pool_.size() > 2 * live_after_sweep_ + 16) sweep();
    return parsed;
  }

 private:
  // Forgets intermediates no certificate holds any more (replaced chains); amortised over inserts.
  void sweep() {
    for (auto entry = pool_.begin(); entry != pool_.end();) {
      entry = entry->second.expired() ? pool_.erase(entry) : std::next(entry);
    }
    live_after_sweep_ = pool_.size();
  }

  std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<X509>> pool_;  // PEM block -> parsed
  std::size_t live_after_sweep_ = 0;
};

IntermediatePool& intermediates() {
  static IntermediatePool pool;
  return pool;
}

std::shared_ptr<EVP_PKEY> share_key(const PrivateKey& key) {
  if (EVP_PKEY_up_ref(key.native()) != 1) crypto::throw_openssl_error("cannot share a key");
  return std::shared_ptr<EVP_PKEY>(key.native(), EVP_PKEY_free);
}

std::string upper_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Every failure below becomes one invalid_input error that says which certificate it was: the
// caller (a server loading many) logs it and serves the others.
[[noreturn]] void throw_naming(const CertificateRecord& record, const std::string& what,
                               const std::exception& cause) {
  const std::string name = record.main.empty() ? "(without a main name)" : record.main;
  throw Error(ErrorKind::invalid_input,
              "stored certificate " + name + ": " + what + ": " + cause.what());
}

void read_chain(const CertificateRecord& record, ServingCertificate& serving) {
  const std::vector<std::string> blocks = split_pem_chain(record.certificate_pem);
  serving.leaf = read_certificate_block(blocks.front(), 0);
  for (std::size_t i = 1; i < blocks.size(); ++i) {
    serving.chain.push_back(intermediates().get(blocks[i], i));
  }
  // Read once more through the library's own parser for the facts logs and renewal want.
  const CertificateInfo info = parse_certificate(blocks.front());
  serving.not_after = info.not_after;
  serving.serial_hex = upper_case(info.serial_hex);
}

}  // namespace

std::shared_ptr<const ServingCertificate> ServingCertificate::from_record(
    const CertificateRecord& record) {
  auto serving = std::make_shared<ServingCertificate>();
  serving->names = record.names();
  try {
    read_chain(record, *serving);
  } catch (const std::exception& e) {
    throw_naming(record, "cannot read its PEM certificate chain", e);
  }
  try {
    // The message of PrivateKey::from_pem says what was wrong with the PEM, never its content.
    serving->private_key = share_key(PrivateKey::from_pem(record.key_pem));
  } catch (const std::exception& e) {
    throw_naming(record, "cannot read its PEM private key", e);
  }
  if (X509_check_private_key(serving->leaf.get(), serving->private_key.get()) != 1) {
    ERR_clear_error();
    throw Error(ErrorKind::invalid_input, "stored certificate " + record.main +
                                              ": the private key does not match the certificate");
  }
  return serving;
}

}  // namespace acmecpp
