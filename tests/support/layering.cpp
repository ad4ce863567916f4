// SPDX-License-Identifier: Apache-2.0
#include "support/layering.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

namespace acmecpp::testing {

namespace fs = std::filesystem;

namespace {

/// The layers, bottom to top (docs/ARCHITECTURE.md): a layer may include its own files and those
/// of a lower rank; layers of the same rank do not include each other.
const std::map<std::string, int>& layer_ranks() {
  static const std::map<std::string, int> ranks{
      {"core", 0},
      {"crypto", 1},
      {"http", 1},
      {"acme", 2},
      {"challenge", 2},
      {"store", 2},
      {"serve", 3},
      {"manager", 4},
      // acmectl's own code on the library's internals (hooks, export): not installed.
      {"tools", 5},
  };
  return ranks;
}

/// The layer each public header belongs to: where it is implemented. A new public header must be
/// added here, or the check fails, so that no header escapes the rule.
const std::map<std::string, std::string>& public_header_layers() {
  static const std::map<std::string, std::string> layers{
      {"api.hpp", "core"},
      {"error.hpp", "core"},
      {"names.hpp", "core"},
      {"log.hpp", "core"},
      {"printable.hpp", "core"},
      {"stop_token.hpp", "core"},
      {"shared_challenges.hpp", "core"},
      {"version.hpp", "core"},
      {"key.hpp", "crypto"},
      {"certificate.hpp", "crypto"},
      {"acme_client.hpp", "acme"},
      {"revocation.hpp", "acme"},
      {"solver.hpp", "challenge"},
      {"http01.hpp", "challenge"},
      {"tlsalpn01.hpp", "challenge"},
      {"dns01.hpp", "challenge"},
      {"dns_providers.hpp", "challenge"},
      {"shared_challenge_solver.hpp", "challenge"},
      {"store.hpp", "store"},
      {"redis_store.hpp", "store"},
      {"certificate_cache.hpp", "serve"},
      {"tls_server.hpp", "serve"},
      {"metrics.hpp", "serve"},
      {"linked_libraries.hpp", "manager"},
      {"cert_manager.hpp", "manager"},
      {"events.hpp", "manager"},
      {"renewal.hpp", "manager"},
  };
  return layers;
}

/// Files CMake generates into the build tree, included by bare name, and the layer of each.
const std::map<std::string, std::string>& generated_headers() {
  static const std::map<std::string, std::string> headers{{"version_config.hpp", "core"}};
  return headers;
}

bool is_source(const fs::path& file) {
  const auto extension = file.extension();
  return extension == ".cpp" || extension == ".hpp" || extension == ".h";
}

std::vector<fs::path> sources_under(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && is_source(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct Include {
  int line;
  std::string name;
  bool angle;
};

/// The `#include "..."` and `#include <acmecpp/...>` lines; other angle includes (the standard
/// library, third parties) are not ours to rank.
std::vector<Include> includes_of(const fs::path& file) {
  static const std::regex pattern(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  std::ifstream in(file);
  std::vector<Include> found;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    std::smatch match;
    if (!std::regex_search(text, match, pattern)) continue;
    const bool angle = match[1] == "<";
    const std::string name = match[2];
    if (angle && name.rfind("acmecpp/", 0) != 0) continue;
    found.push_back({line, name, angle});
  }
  return found;
}

std::string first_component(const std::string& name) {
  const auto slash = name.find('/');
  return slash == std::string::npos ? "" : name.substr(0, slash);
}

/// The layer of an included name, or nullopt with `why` set when it names none.
std::optional<std::string> layer_of_include(const Include& include, const fs::path& includer,
                                            std::string& why) {
  const auto& name = include.name;
  if (name.find("..") != std::string::npos) {
    why = "a relative path out of the folder";
    return std::nullopt;
  }
  const auto top = first_component(name);
  if (top == "acmecpp") {
    const auto header = name.substr(top.size() + 1);
    const auto found = public_header_layers().find(header);
    if (found == public_header_layers().end()) {
      why = "a public header with no layer (add it to tests/support/layering.cpp)";
      return std::nullopt;
    }
    return found->second;
  }
  if (top.empty()) {
    const auto generated = generated_headers().find(name);
    if (generated != generated_headers().end()) return generated->second;
    if (fs::exists(includer.parent_path() / name)) {
      // Beside a public header: that header's layer; beside a file of lib/: the same layer.
      if (includer.parent_path().filename() == "acmecpp") {
        const auto found = public_header_layers().find(name);
        if (found != public_header_layers().end()) return found->second;
      }
      return std::string("");
    }
    why = "not found beside the file, and not a generated header";
    return std::nullopt;
  }
  if (layer_ranks().count(top) == 0) {
    why = "not a layer of lib/";
    return std::nullopt;
  }
  return top;
}

class Checker {
 public:
  explicit Checker(fs::path root) : root_(std::move(root)) {}

  void check_layered_file(const fs::path& file, const std::string& layer, bool public_header) {
    const int rank = layer_ranks().at(layer);
    for (const auto& include : includes_of(file)) {
      std::string why;
      const auto target = layer_of_include(include, file, why);
      if (!target) {
        add(file, include, why);
        continue;
      }
      if (public_header && layer_ranks().count(first_component(include.name)) != 0) {
        add(file, include, "a public header includes a private header of lib/");
        continue;
      }
      if (target->empty() || *target == layer) continue;  // the file's own layer
      const int target_rank = layer_ranks().at(*target);
      if (target_rank >= rank) {
        add(file, include,
            "upward: " + layer + " may not include " + *target +
                (target_rank == rank ? " (same rank)" : " (a higher layer)"));
      }
    }
  }

  void check_lib() {
    for (const auto& file : sources_under(root_ / "lib")) {
      const auto relative = file.lexically_relative(root_ / "lib");
      const auto layer = relative.begin()->string();
      if (layer_ranks().count(layer) == 0 || std::next(relative.begin()) == relative.end()) {
        violations_.push_back({file.lexically_relative(root_), 0, "",
                               "lib/" + layer + " is not a layer (docs/ARCHITECTURE.md)"});
        continue;
      }
      check_layered_file(file, layer, false);
    }
  }

  void check_public_headers() {
    for (const auto& file : sources_under(root_ / "include" / "acmecpp")) {
      const auto found = public_header_layers().find(file.filename().string());
      if (found == public_header_layers().end()) {
        violations_.push_back({file.lexically_relative(root_), 0, "",
                               "a public header with no layer (add it to "
                               "tests/support/layering.cpp)"});
        continue;
      }
      check_layered_file(file, found->second, true);
    }
  }

  /// acmectl is a user of the library like any other: public headers and its own files only,
  /// plus lib/tools, the part of acmectl that is built on the library's internals.
  void check_cli() {
    for (const auto& file : sources_under(root_ / "cli")) {
      for (const auto& include : includes_of(file)) {
        const auto top = first_component(include.name);
        if (top == "tools" && include.name.find("..") == std::string::npos &&
            fs::exists(root_ / "lib" / include.name)) {
          continue;
        }
        if (top == "acmecpp") {
          if (public_header_layers().count(include.name.substr(top.size() + 1)) == 0) {
            add(file, include, "not a public header");
          }
        } else if (!top.empty() || include.name.find("..") != std::string::npos) {
          add(file, include, "cli/ includes only include/acmecpp/, lib/tools/ and its own files");
        } else if (!fs::exists(file.parent_path() / include.name)) {
          add(file, include, "cli/ includes only include/acmecpp/, lib/tools/ and its own files");
        }
      }
    }
  }

  std::vector<LayerViolation> take() { return std::move(violations_); }

 private:
  void add(const fs::path& file, const Include& include, std::string reason) {
    violations_.push_back(
        {file.lexically_relative(root_), include.line, include.name, std::move(reason)});
  }

  fs::path root_;
  std::vector<LayerViolation> violations_;
};

}  // namespace

std::vector<LayerViolation> find_layer_violations(const fs::path& root) {
  Checker checker(root);
  checker.check_lib();
  checker.check_public_headers();
  checker.check_cli();
  return checker.take();
}

std::string describe(const std::vector<LayerViolation>& violations) {
  std::ostringstream text;
  for (const auto& violation : violations) {
    text << violation.file.string() << ':' << violation.line << ": ";
    if (!violation.include.empty()) text << "#include \"" << violation.include << "\": ";
    text << violation.reason << '\n';
  }
  return text.str();
}

}  // namespace acmecpp::testing
