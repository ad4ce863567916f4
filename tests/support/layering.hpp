// SPDX-License-Identifier: Apache-2.0
#pragma once
// The layering rule of docs/ARCHITECTURE.md, checked on the source tree: every `#include` in lib/
// and include/acmecpp/ goes to the file's own layer or a lower one, and cli/ includes only the
// public headers, lib/tools (acmectl's part built on the internals) and its own files.
// tests/unit/test_layering.cpp runs it on the real tree (so ctest fails on an upward include) and
// on planted trees (so the check itself can fail).

#include <filesystem>
#include <string>
#include <vector>

namespace acmecpp::testing {

struct LayerViolation {
  std::filesystem::path file;  ///< relative to the checked root
  int line = 0;                ///< 1-based; 0 when the file as a whole is wrong
  std::string include;  ///< the included name as written; "" when the file as a whole is wrong
  std::string reason;
};

/// Every violation in root/lib, root/include/acmecpp and root/cli (a missing folder counts as
/// empty). Files are read as text; only `#include "..."` and `#include <acmecpp/...>` lines matter.
std::vector<LayerViolation> find_layer_violations(const std::filesystem::path& root);

/// "file:line: #include "x": reason", one a line, for a test's message.
std::string describe(const std::vector<LayerViolation>& violations);

}  // namespace acmecpp::testing
