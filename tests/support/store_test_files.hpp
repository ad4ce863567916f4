// SPDX-License-Identifier: Apache-2.0
#pragma once
// Files for the acme.json store tests: a temporary directory removed afterwards, fixtures copied
// into it with mode 0600 (git keeps them 0644, which the store rightly refuses), file helpers.

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "acmecpp/store.hpp"
#include "support/temp_dir.hpp"

namespace store_test {

/// The shared TempDir, speaking strings as these tests do.
class TempDir : public acmecpp::testing::TempDir {
 public:
  TempDir() : acmecpp::testing::TempDir("acmecpp-store") {}
  std::string path() const { return acmecpp::testing::TempDir::path().string(); }
  std::string file(const std::string& name) const { return path() + "/" + name; }
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::string& content, mode_t mode = 0600) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << content;
  }
  if (::chmod(path.c_str(), mode) != 0) throw std::runtime_error("cannot chmod " + path);
}

inline mode_t file_mode(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw std::runtime_error("cannot stat " + path);
  return info.st_mode & 07777;
}

inline std::string fixture_path(const std::string& name) {
  return std::string(ACMECPP_SOURCE_DIR) + "/fixtures/" + name;
}

inline std::string read_fixture(const std::string& name) {
  return read_file(fixture_path(name));
}

/// Copies fixtures/<name> to <dir>/acme.json with mode 0600 and returns that path.
inline std::string copy_fixture(const TempDir& dir, const std::string& name) {
  const std::string target = dir.file("acme.json");
  write_file(target, read_fixture(name));
  return target;
}

inline nlohmann::ordered_json read_json(const std::string& path) {
  return nlohmann::ordered_json::parse(read_file(path));
}

/// A record with placeholder PEM text: the store keeps it without reading it as a certificate.
inline acmecpp::CertificateRecord make_certificate(const std::string& main) {
  acmecpp::CertificateRecord record;
  record.main = main;
  record.certificate_pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n";
  record.key_pem = "-----BEGIN PRIVATE KEY-----\ny\n-----END PRIVATE KEY-----\n";
  return record;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Names of the temporary files the store may leave when killed ("acme.json.tmp-XXXXXX").
inline int count_temp_files(const TempDir& dir) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind("acme.json.tmp-", 0) == 0) ++count;
  }
  return count;
}

}  // namespace store_test
