// SPDX-License-Identifier: Apache-2.0
#pragma once
// A private temporary directory for one test, removed with everything in it at scope exit.

#include <filesystem>
#include <string>

namespace acmecpp::testing {

class TempDir {
 public:
  /// Creates a fresh directory (mode 0700) under $TMPDIR, or /tmp when TMPDIR is unset.
  explicit TempDir(const std::string& prefix = "acmecpp-test");
  /// Removes the directory recursively; errors are ignored (a destructor cannot report them).
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  /// path() / name, for brevity in tests.
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  void remove() noexcept;
  std::filesystem::path path_;
};

/// Whole content of a file; throws acmecpp::Error(storage) naming the file when it cannot be read.
std::string read_text_file(const std::filesystem::path& file);
/// Replaces the content of a file; throws acmecpp::Error(storage) naming the file on failure.
void write_text_file(const std::filesystem::path& file, const std::string& content);

}  // namespace acmecpp::testing
