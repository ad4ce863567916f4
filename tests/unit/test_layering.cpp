// SPDX-License-Identifier: Apache-2.0
// The layers of docs/ARCHITECTURE.md, enforced in the test command: the real source tree has no
// upward include, and planted trees show that the check finds each kind of breach.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "support/layering.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp::testing;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = ACMECPP_SOURCE_DIR;

/// A small tree shaped like the real one, every include in it allowed.
struct PlantedTree {
  TempDir root{"acmecpp-layering"};

  PlantedTree() {
    put("lib/core/base64.hpp", "#pragma once\n#include \"acmecpp/error.hpp\"\n");
    put("lib/core/version.cpp", "#include \"version_config.hpp\"\n#include <string>\n");
    put("lib/crypto/jws.cpp", "#include \"core/base64.hpp\"\n#include \"acmecpp/key.hpp\"\n");
    put("lib/http/http_client.hpp", "#pragma once\n#include \"core/base64.hpp\"\n");
    put("lib/acme/client.cpp",
        "#include \"http/http_client.hpp\"\n#include \"acmecpp/acme_client.hpp\"\n");
    put("lib/challenge/dns01/zone.hpp", "#pragma once\n");
    put("lib/challenge/dns01/zone.cpp", "#include \"zone.hpp\"\n");
    put("lib/manager/cert_manager.cpp",
        "#include \"acme/client.hpp\"\n#include \"acmecpp/cert_manager.hpp\"\n");
    put("include/acmecpp/error.hpp", "#pragma once\n");
    put("include/acmecpp/key.hpp", "#pragma once\n#include \"acmecpp/error.hpp\"\n");
    put("include/acmecpp/cert_manager.hpp", "#pragma once\n#include \"acmecpp/key.hpp\"\n");
    put("cli/setup.hpp", "#pragma once\n#include <acmecpp/cert_manager.hpp>\n");
    put("cli/main.cpp", "#include \"acmecpp/cert_manager.hpp\"\n#include \"setup.hpp\"\n");
    put("lib/tools/exec_hooks.hpp",
        "#pragma once\n#include \"core/base64.hpp\"\n#include \"acmecpp/cert_manager.hpp\"\n");
    put("cli/delivery.cpp", "#include \"tools/exec_hooks.hpp\"\n#include \"setup.hpp\"\n");
  }

  void put(const std::string& relative, const std::string& text) {
    const auto file = root / relative;
    fs::create_directories(file.parent_path());
    write_text_file(file, text);
  }

  /// Adds `line` at the end of an existing file.
  void append(const std::string& relative, const std::string& line) {
    put(relative, read_text_file(root / relative) + line + "\n");
  }

  std::vector<LayerViolation> violations() const { return find_layer_violations(root.path()); }
};

/// The one violation of a planted tree, which must name the file, line and include.
void check_single(const PlantedTree& tree, const std::string& file, int line,
                  const std::string& include) {
  const auto found = tree.violations();
  INFO(describe(found));
  REQUIRE(found.size() == 1);
  CHECK(found[0].file == fs::path(file));
  CHECK(found[0].line == line);
  CHECK(found[0].include == include);
}

}  // namespace

TEST_CASE("no file of lib/, include/acmecpp/ or cli/ includes above its layer") {
  REQUIRE(fs::is_directory(source_dir / "lib" / "manager"));
  const auto found = find_layer_violations(source_dir);
  INFO(describe(found));
  CHECK(found.empty());
}

TEST_CASE("the layering check passes a planted tree with only allowed includes") {
  const PlantedTree tree;
  const auto found = tree.violations();
  INFO(describe(found));
  CHECK(found.empty());
}

/// A breach planted in an otherwise clean tree: the line appended to a file, and what the check
/// must report (line 3: the planted files have two lines).
struct Breach {
  const char* what;
  const char* file;
  const char* line;
  const char* include;
};

TEST_CASE("the layering check fails on each kind of breach planted in a clean tree") {
  const Breach breaches[] = {
      {"crypto includes manager", "lib/crypto/jws.cpp", "#include \"manager/cert_manager.hpp\"",
       "manager/cert_manager.hpp"},
      {"core includes a public header of the manager", "lib/core/base64.hpp",
       "#include \"acmecpp/cert_manager.hpp\"", "acmecpp/cert_manager.hpp"},
      {"the same with angle brackets", "lib/core/base64.hpp", "#include <acmecpp/cert_manager.hpp>",
       "acmecpp/cert_manager.hpp"},
      {"crypto and http, of the same rank", "lib/http/http_client.hpp",
       "#  include \"crypto/jose.hpp\"", "crypto/jose.hpp"},
      {"a lower public header includes a higher one", "include/acmecpp/key.hpp",
       "#include \"acmecpp/cert_manager.hpp\"", "acmecpp/cert_manager.hpp"},
      {"a public header includes a private one", "include/acmecpp/cert_manager.hpp",
       "#include \"core/base64.hpp\"", "core/base64.hpp"},
      {"cli/ includes a file of lib/", "cli/main.cpp", "#include \"manager/renewal_policy.hpp\"",
       "manager/renewal_policy.hpp"},
      {"the library includes the tools, which are not part of it", "lib/manager/cert_manager.cpp",
       "#include \"tools/exec_hooks.hpp\"", "tools/exec_hooks.hpp"},
      {"cli/ includes a tools file that does not exist", "cli/delivery.cpp",
       "#include \"tools/novel.hpp\"", "tools/novel.hpp"},
  };
  for (const auto& breach : breaches) {
    CAPTURE(breach.what);
    PlantedTree tree;
    tree.append(breach.file, breach.line);
    check_single(tree, breach.file, 3, breach.include);
  }
}

TEST_CASE("the layering check fails on a file that belongs to no layer") {
  PlantedTree tree;
  SUBCASE("a folder of lib/ that is no layer") {
    tree.put("lib/util/helper.cpp", "#include \"core/base64.hpp\"\n");
    check_single(tree, "lib/util/helper.cpp", 0, "");
  }
  SUBCASE("a public header the check does not know") {
    tree.put("include/acmecpp/novel.hpp", "#pragma once\n");
    check_single(tree, "include/acmecpp/novel.hpp", 0, "");
  }
}
