// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/error.hpp"
#include "crypto/jose.hpp"
#include "crypto/openssl_ptr.hpp"
#include "crypto/x509_builders.hpp"

namespace acmecpp::crypto {
namespace {

// RFC 8555 section 7.4 only looks at the SANs; a CN is still what older tooling displays, so the
// first DNS name becomes the CN when X.509 allows it (an IP address never does: RFC 8738 puts it
// in an iPAddress SAN only). Otherwise the subject stays empty.
void set_subject(X509_REQ* request, const std::string& common_name) {
  if (common_name.empty()) return;
  X509NamePtr subject = make_common_name(common_name);
  if (X509_REQ_set_subject_name(request, subject.get()) != 1) {
    throw_openssl_error("cannot set CSR subject");
  }
}

void add_san_extension(X509_REQ* request, const std::vector<std::string>& names,
                       bool subject_is_empty) {
  X509ExtensionStackPtr extensions(sk_X509_EXTENSION_new_null());
  X509ExtensionPtr san = make_san_extension(names, subject_is_empty);
  if (!extensions || sk_X509_EXTENSION_push(extensions.get(), san.get()) <= 0) {
    throw_openssl_error("cannot collect CSR extensions");
  }
  san.release();  // the stack owns it now
  if (X509_REQ_add_extensions(request, extensions.get()) != 1) {
    throw_openssl_error("cannot add extensions to CSR");
  }
}

std::string to_der(X509_REQ* request) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_REQ(request, &der);
  if (length <= 0) throw_openssl_error("cannot encode CSR");
  OpenSslBytePtr der_owner(der);
  return std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
}

}  // namespace

std::string make_csr_der(const PrivateKey& key, const std::vector<std::string>& names) {
  if (names.empty()) throw Error(ErrorKind::invalid_input, "a CSR needs at least one name");
  X509ReqPtr request(X509_REQ_new());
  if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1) {
    throw_openssl_error("cannot create CSR");
  }
  const std::string common_name = common_name_candidate(names);
  set_subject(request.get(), common_name);
  add_san_extension(request.get(), names, common_name.empty());
  if (X509_REQ_set_pubkey(request.get(), key.native()) != 1) {
    throw_openssl_error("cannot set CSR public key");
  }
  if (X509_REQ_sign(request.get(), key.native(), EVP_sha256()) <= 0) {
    throw_openssl_error("cannot sign CSR");
  }
  return to_der(request.get());
}

}  // namespace acmecpp::crypto
