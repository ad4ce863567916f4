// SPDX-License-Identifier: Apache-2.0
// Uses only acmecpp's installed public headers: the version, IDNA name normalisation (libidn2),
// key generation and PEM round trip (OpenSSL), certificate parsing, and an acmecpp::Error caught
// across the library boundary. Prints one "what: value" line each; the test compares them.

#include <acmecpp/certificate.hpp>
#include <acmecpp/error.hpp>
#include <acmecpp/key.hpp>
#include <acmecpp/names.hpp>
#include <acmecpp/version.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read ") + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string join(const std::vector<std::string>& items) {
  std::string joined;
  for (const auto& item : items) joined += (joined.empty() ? "" : ",") + item;
  return joined;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer CERTIFICATE.pem\n";
    return 2;
  }
  try {
    std::cout << "version: " << acmecpp::version() << "\n";
    std::cout << "name: " << acmecpp::normalize_dns_name("Bücher.example") << "\n";

    const auto key = acmecpp::PrivateKey::generate(acmecpp::KeyType::ec256);
    const auto reloaded = acmecpp::PrivateKey::from_pem(key.to_pem());
    std::cout << "key: " << acmecpp::to_string(reloaded.type()) << " " << reloaded.bits() << "\n";

    const auto certificate = acmecpp::parse_certificate(read_file(argv[1]));
    std::cout << "certificate: " << certificate.common_name << " " << join(certificate.dns_names)
              << "\n";

    try {
      acmecpp::normalize_dns_name("bad..example");
      std::cout << "error: none\n";
    } catch (const acmecpp::Error& e) {
      std::cout << "error: " << acmecpp::to_string(e.kind()) << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
