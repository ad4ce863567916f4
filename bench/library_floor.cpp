// SPDX-License-Identifier: Apache-2.0
// library_floor: the least any ACME client built on OpenSSL 3 and libcurl does in one issuance,
// and nothing else: generate an EC P-256 key, sign a digest with it (the JWS and the CSR), and
// fetch one HTTPS URL through libcurl, verifying the server against a CA bundle. bench.sh runs it
// under GNU time beside acmectl, so that the table shows how much of acmectl's peak RSS and
// time the libraries alone take (bench/README.md, "The floor"). It is linked like acmectl.
//
// Usage: library_floor URL CA_BUNDLE   (exit 0 when the request got a 2xx answer)

#include <curl/curl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
struct CurlCleanup {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};

/// An ES256 signature over `data` with a fresh P-256 key: what a JWS and a CSR need.
bool sign_with_new_key(const std::string& data) {
  const std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  const std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  if (!key || !context) return false;
  std::array<unsigned char, 80> signature{};
  std::size_t length = signature.size();
  return EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestSign(context.get(), signature.data(), &length,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

/// GET url, trusting ca_bundle; the HTTP status, or 0 when the transfer failed.
long fetch(const char* url, const char* ca_bundle, std::string& body) {
  const std::unique_ptr<CURL, CurlCleanup> handle(curl_easy_init());
  if (!handle) return 0;
  curl_easy_setopt(handle.get(), CURLOPT_URL, url);
  curl_easy_setopt(handle.get(), CURLOPT_CAINFO, ca_bundle);
  curl_easy_setopt(handle.get(), CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(handle.get(), CURLOPT_WRITEDATA, &body);
  if (curl_easy_perform(handle.get()) != CURLE_OK) return 0;
  long status = 0;
  curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &status);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: library_floor URL CA_BUNDLE\n");
    return 2;
  }
  if (!sign_with_new_key("library floor")) {
    std::fprintf(stderr, "library_floor: signing failed\n");
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::string body;
  const long status = fetch(argv[1], argv[2], body);
  curl_global_cleanup();
  std::printf("HTTP %ld, %zu bytes\n", status, body.size());
  return status >= 200 && status < 300 ? 0 : 1;
}
