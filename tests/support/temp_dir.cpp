// SPDX-License-Identifier: Apache-2.0
#include "support/temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "acmecpp/error.hpp"

namespace acmecpp::testing {
namespace {

std::filesystem::path temp_root() {
  const char* tmpdir = std::getenv("TMPDIR");
  return (tmpdir != nullptr && *tmpdir != '\0') ? std::filesystem::path(tmpdir)
                                                : std::filesystem::path("/tmp");
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  const std::string pattern = (temp_root() / (prefix + "-XXXXXX")).string();
  // mkdtemp rewrites the X's in place, so it needs a mutable, NUL-terminated buffer.
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw Error(ErrorKind::storage,
                "cannot create a temporary directory " + pattern + ": " + std::strerror(errno));
  }
  path_ = buffer.data();
}

TempDir::~TempDir() {
  remove();
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

void TempDir::remove() noexcept {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

std::string read_text_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorKind::storage, "cannot open " + file.string() + " for reading");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::storage, "cannot read " + file.string());
  return content.str();
}

void write_text_file(const std::filesystem::path& file, const std::string& content) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorKind::storage, "cannot open " + file.string() + " for writing");
  out << content;
  out.close();
  if (!out) throw Error(ErrorKind::storage, "cannot write " + file.string());
}

}  // namespace acmecpp::testing
