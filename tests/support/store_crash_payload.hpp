// SPDX-License-Identifier: Apache-2.0
#pragma once
// What store_writer saves and the crash test checks: two large certificate entries, rewritten in
// turn with a growing generation number, next to a small entry and an account that never change.
// Every entry can be recomputed from its generation, so a half-written one is always detected.

#include <string>

#include "acmecpp/store.hpp"

namespace store_crash {

inline const std::string kResolver = "crash";
inline const std::string kMainA = "big-a.example.test";
inline const std::string kMainB = "big-b.example.test";
inline const std::string kSentinelMain = "small.example.test";

/// Each large entry's PEM text; both together make acme.json about 2 MB, so that writing it
/// takes a while.
constexpr std::size_t kPayloadBytes = 750000;

/// Odd generations rewrite entry A, even ones entry B.
inline const std::string& main_of_generation(long generation) {
  return generation % 2 != 0 ? kMainA : kMainB;
}

inline std::string generation_name(long generation) {
  return "gen-" + std::to_string(generation) + ".example.test";
}

inline acmecpp::CertificateRecord big_certificate(long generation) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  acmecpp::CertificateRecord record;
  record.main = main_of_generation(generation);
  record.sans = {generation_name(generation)};
  std::string& pem = record.certificate_pem;
  pem.reserve(kPayloadBytes + 64);
  pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; pem.size() < kPayloadBytes; ++i) {
    pem += kAlphabet[(std::size_t(generation) * 7919 + i * 31) % 64];
    if (i % 64 == 63) pem += '\n';
  }
  pem += "\n-----END CERTIFICATE-----\n";
  record.key_pem = "-----BEGIN PRIVATE KEY-----\n" + std::to_string(generation) +
                   "\n-----END PRIVATE KEY-----\n";
  return record;
}

/// The generation a large entry claims (its SAN), or -1.
inline long generation_of(const acmecpp::CertificateRecord& record) {
  if (record.sans.size() != 1) return -1;
  const std::string& name = record.sans[0];
  if (name.rfind("gen-", 0) != 0) return -1;
  return std::stol(name.substr(4));
}

inline acmecpp::CertificateRecord sentinel_certificate() {
  acmecpp::CertificateRecord record;
  record.main = kSentinelMain;
  record.certificate_pem = "-----BEGIN CERTIFICATE-----\nsmall\n-----END CERTIFICATE-----\n";
  record.key_pem = "-----BEGIN EC PRIVATE KEY-----\nsmall\n-----END EC PRIVATE KEY-----\n";
  return record;
}

inline acmecpp::AccountRecord crash_account() {
  acmecpp::AccountRecord account;
  account.email = "crash@example.test";
  account.uri = "https://acme.example.test/acme/acct/7";
  account.registration_body = R"({"status":"valid"})";
  account.private_key_der = std::string("\x30\x77\x02\x01\x01", 5);
  account.key_type = "P256";
  return account;
}

}  // namespace store_crash
