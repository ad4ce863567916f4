// SPDX-License-Identifier: Apache-2.0
// make_store: writes a Traefik-format acme.json with N certificates signed by a throw-away local
// CA, so that `acmectl list` (and later `renew`) can be measured over stores of any size without
// asking a CA for thousands of certificates.
//
// Usage: make_store OUTPUT COUNT [--due N] [--resolver NAME]
//
// Every certificate lives 90 days, like Let's Encrypt's. Most have 35 to 89 days left (not due
// under the default 30-day margin); N of them, spread through the file, have 1 to 29 days left
// (due). The default N is a few (1 in 200, at least 1); "nothing due" scenarios pass --due 0.
//
// The JSON is built here in one piece rather than through AcmeJsonStore, which rewrites the
// whole file for every certificate saved: fine for a server, quadratic for 10,000 at once.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "core/base64.hpp"
#include "crypto/self_signed.hpp"
#include "store/atomic_file.hpp"

namespace {

using Clock = std::chrono::system_clock;
using Days = std::chrono::duration<int, std::ratio<86400>>;

constexpr int kLifetimeDays = 90;

struct Options {
  std::string output;
  int count = 0;
  int due = -1;  // -1: the default share
  std::string resolver = "letsencrypt";
};

struct LocalCa {
  acmecpp::PrivateKey key;
  std::string certificate_pem;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "make_store: " << problem << "\n"
            << "usage: make_store OUTPUT COUNT [--due N] [--resolver NAME]\n";
  std::exit(2);
}

int parse_count(const std::string& text, const char* what) {
  std::size_t used = 0;
  int value = -1;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 0)
    usage(std::string(what) + " must be a number >= 0: " + text);
  return value;
}

Options parse_options(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Options options;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--due" && has_value) {
      options.due = parse_count(args[++i], "--due");
    } else if (args[i] == "--resolver" && has_value) {
      options.resolver = args[++i];
    } else if (args[i].rfind("--", 0) == 0) {
      usage("unknown option or missing value: " + args[i]);
    } else {
      positional.push_back(args[i]);
    }
  }
  if (positional.size() != 2) usage("expected OUTPUT and COUNT");
  options.output = positional[0];
  options.count = parse_count(positional[1], "COUNT");
  if (options.due < 0) options.due = options.count == 0 ? 0 : std::max(1, options.count / 200);
  if (options.due > options.count) usage("--due must not exceed COUNT");
  return options;
}

LocalCa make_local_ca() {
  auto key = acmecpp::PrivateKey::generate(acmecpp::KeyType::ec256);
  acmecpp::crypto::CertificateOptions ca;
  ca.common_name = "acmecpp bench CA";
  ca.not_before = Clock::now() - Days(1);
  ca.not_after = Clock::now() + Days(3650);
  ca.is_ca = true;
  auto pem = acmecpp::crypto::make_certificate_pem(key, ca);
  return LocalCa{key, pem};
}

// Days left for certificate `index`: the due ones sit at evenly spaced indexes so that a reader
// stopping early still meets some.
int days_left(int index, const Options& options) {
  for (int k = 0; k < options.due; ++k) {
    const long due_index = static_cast<long>(k) * options.count / options.due;
    if (due_index == index) return 1 + (k * 7) % 29;
  }
  return 35 + (index * 37) % 55;
}

std::string certificate_name(int index) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "cert-%05d.bench.test", index);
  return buffer;
}

nlohmann::json certificate_entry(int index, const Options& options, const LocalCa& ca) {
  const std::string main = certificate_name(index);
  std::vector<std::string> names{main};
  if (index % 10 == 0) names.push_back("www." + main);  // some certificates carry a SAN

  acmecpp::crypto::CertificateOptions leaf;
  leaf.dns_names = names;
  leaf.not_after = Clock::now() + Days(days_left(index, options));
  leaf.not_before = leaf.not_after - Days(kLifetimeDays);
  leaf.issuer_key = &ca.key;
  leaf.issuer_certificate_pem = ca.certificate_pem;
  const auto key = acmecpp::PrivateKey::generate(acmecpp::KeyType::ec256);
  const std::string chain = acmecpp::crypto::make_certificate_pem(key, leaf) + ca.certificate_pem;

  nlohmann::json domain = {{"main", main}};
  if (names.size() > 1) domain["sans"] = std::vector<std::string>(names.begin() + 1, names.end());
  return {{"domain", domain},
          {"certificate", acmecpp::core::base64_encode(chain)},
          {"key", acmecpp::core::base64_encode(key.to_pem())},
          {"Store", "default"}};
}

nlohmann::json account_entry() {
  const auto key = acmecpp::PrivateKey::generate(acmecpp::KeyType::ec256);
  return {{"Email", "bench@example.com"},
          {"Registration",
           {{"body", {{"status", "valid"}, {"contact", {"mailto:bench@example.com"}}}},
            {"uri", "https://127.0.0.1:14000/my-account/bench"}}},
          {"PrivateKey", acmecpp::core::base64_encode(key.to_der())},
          {"KeyType", "P256"}};
}

nlohmann::json make_document(const Options& options) {
  const LocalCa ca = make_local_ca();
  nlohmann::json certificates = nlohmann::json::array();
  for (int i = 0; i < options.count; ++i) {
    certificates.push_back(certificate_entry(i, options, ca));
  }
  return {{options.resolver, {{"Account", account_entry()}, {"Certificates", certificates}}}};
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  try {
    // Two-space indent like Traefik's json.MarshalIndent; written 0600 as Traefik requires.
    acmecpp::store::replace_file_atomically(options.output, make_document(options).dump(2));
  } catch (const acmecpp::Error& e) {
    std::cerr << "make_store: error: " << e.what() << '\n';
    return 1;
  }
  std::cout << "wrote " << options.count << " certificates (" << options.due << " due) to "
            << options.output << '\n';
  return 0;
}
