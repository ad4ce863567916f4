// SPDX-License-Identifier: Apache-2.0
// What a shared libacmecpp exports: the library is compiled with -fvisibility=hidden and marks its
// public API ACMECPP_API (include/acmecpp/api.hpp), so its dynamic symbol table holds the classes
// and functions of include/acmecpp/ and nothing of the internal namespaces, fmt or nlohmann.
// ACMECPP_SHARED_LIBRARY_PATH is libacmecpp.so in a shared build, else a shared library linked
// from the same objects for this test (tests/CMakeLists.txt).

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp::testing;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = ACMECPP_SOURCE_DIR;
const fs::path shared_library = ACMECPP_SHARED_LIBRARY_PATH;

/// `nm -D --defined-only --demangle`: the names the library exports, demangled.
std::vector<std::string> exported_symbols() {
  const auto result =
      run_process({"nm", "-D", "--defined-only", "--demangle", shared_library.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::vector<std::string> names;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    // "0000000000123456 T name with spaces"
    const auto first = line.find(' ');
    const auto second = first == std::string::npos ? first : line.find(' ', first + 1);
    if (second != std::string::npos) names.push_back(line.substr(second + 1));
  }
  return names;
}

/// The names include/acmecpp/ marks ACMECPP_API: classes, structs and free functions.
std::set<std::string> public_names() {
  static const std::regex type(R"((?:class|struct) ACMECPP_API (\w+))");
  static const std::regex function(R"(ACMECPP_API [^;{(]*?\b(\w+)\()");
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(source_dir / "include" / "acmecpp")) {
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto* pattern : {&type, &function}) {
      for (std::sregex_iterator it(text.begin(), text.end(), *pattern), end; it != end; ++it) {
        names.insert((*it)[1]);
      }
    }
  }
  return names;
}

/// The symbol without "typeinfo for " and the like.
std::string entity_of(std::string symbol) {
  for (const char* prefix : {"typeinfo name for ", "typeinfo for ", "vtable for ", "VTT for ",
                             "non-virtual thunk to ", "virtual thunk to ", "guard variable for "}) {
    const std::string p = prefix;
    if (symbol.rfind(p, 0) == 0) symbol = symbol.substr(p.size());
  }
  return symbol;
}

/// For "acmecpp::acme::Client::stats() const": "Client"; for "acmecpp::version[abi:cxx11]()":
/// "version"; "" when the symbol is not in acmecpp:: or acmecpp::acme:: (the public namespaces).
std::string public_namespace_member(const std::string& entity, std::string& namespace_path) {
  static const std::regex member(R"(^acmecpp::(acme::)?(\w+))");
  std::smatch match;
  if (!std::regex_search(entity, match, member)) return "";
  namespace_path = "acmecpp::" + match[1].str();
  return match[2];
}

}  // namespace

TEST_CASE("a shared libacmecpp exports its public API and nothing of its internals") {
  const auto symbols = exported_symbols();
  REQUIRE(!symbols.empty());
  const auto api = public_names();
  REQUIRE(api.count("CertManager") == 1);
  REQUIRE(api.count("parse_certificate") == 1);

  const std::vector<std::string> internal_namespaces{
      "acmecpp::core::",   "acmecpp::crypto::",    "acmecpp::http::",
      "acmecpp::http01::", "acmecpp::dns01::",     "acmecpp::store::",
      "acmecpp::serve::",  "acmecpp::tlsalpn01::", "acmecpp::manager::"};
  std::vector<std::string> leaked;
  for (const auto& symbol : symbols) {
    const auto entity = entity_of(symbol);
    bool bad =
        entity.find("nlohmann::") != std::string::npos || entity.find("fmt::") != std::string::npos;
    for (const auto& prefix : internal_namespaces) {
      if (entity.rfind(prefix, 0) == 0) bad = true;
    }
    std::string namespace_path;
    const auto member = public_namespace_member(entity, namespace_path);
    // In a public namespace, only what the public headers declare (acmecpp::acme also holds the
    // client's internals: the nonce pool, the resource parsers).
    if (!member.empty() && api.count(member) == 0) bad = true;
    if (bad) leaked.push_back(symbol);
  }
  std::string listing;
  for (const auto& symbol : leaked) listing += symbol + "\n";
  INFO("exported but not public API:\n" << listing);
  CHECK(leaked.empty());

  for (const std::string wanted :
       {"acmecpp::CertManager::CertManager(", "acmecpp::acme::Client::Client(",
        "acmecpp::AcmeJsonStore::AcmeJsonStore(", "acmecpp::parse_certificate(",
        "acmecpp::install_tls_server(", "acmecpp::normalize_dns_name[",
        "typeinfo for acmecpp::Error", "typeinfo for acmecpp::Store",
        "vtable for acmecpp::Http01Handler"}) {
    bool found = false;
    for (const auto& symbol : symbols) found = found || symbol.rfind(wanted, 0) == 0;
    CHECK_MESSAGE(found, "not exported: " << wanted);
  }
}

// A class or function added to include/acmecpp/ without ACMECPP_API would be hidden in a shared
// library (and its users would fail to link): every declaration at namespace scope carries it.
TEST_CASE("every class, struct and function of include/acmecpp/ is marked ACMECPP_API") {
  static const std::regex type_definition(R"(^(class|struct) \w+[^;]*$)");
  static const std::regex function_declaration(R"(^[A-Za-z][^;{]*\()");
  const std::vector<std::string> not_declarations{"namespace", "inline", "using",      "enum",
                                                  "template",  "static", "constexpr",  "typedef",
                                                  "friend",    "extern", "ACMECPP_API"};
  std::vector<std::string> unmarked;
  for (const auto& entry : fs::directory_iterator(source_dir / "include" / "acmecpp")) {
    std::ifstream in(entry.path());
    int number = 0;
    for (std::string line; std::getline(in, line);) {
      ++number;
      const auto code = line.substr(0, line.find("//"));
      bool skip = false;
      for (const auto& word : not_declarations) skip = skip || code.rfind(word, 0) == 0;
      const bool type =
          std::regex_search(code, type_definition) && code.find("ACMECPP_API") == std::string::npos;
      const bool function = !skip && !type && std::regex_search(code, function_declaration) &&
                            code.rfind("class", 0) != 0 && code.rfind("struct", 0) != 0;
      if (type || function) {
        unmarked.push_back(entry.path().filename().string() + ":" + std::to_string(number) + ": " +
                           line);
      }
    }
  }
  std::string listing;
  for (const auto& line : unmarked) listing += line + "\n";
  INFO("without ACMECPP_API:\n" << listing);
  CHECK(unmarked.empty());
}

// "Minor releases stay ABI-compatible" (docs/PACKAGING.md): the public API's functions and the
// types they use, as the baseline of this major version recorded them, must be there unchanged.
// Both sides are dumps of scripts/abi-dump.sh. abidiff's exit status is 0 when nothing but
// additions differ; 4 (a change, e.g. a struct's layout), 8 (incompatible, e.g. a removed
// function) or 1 and 2 (it could not compare) fail the test.
TEST_CASE("the shared library keeps the ABI of tests/abi/libacmecpp.abi") {
  const auto baseline = source_dir / "tests" / "abi" / "libacmecpp.abi";
  REQUIRE(fs::is_regular_file(baseline));
  const TempDir work("acmecpp-abi");
  const auto current = work / "current.abi";
  ProcessOptions options;
  options.timeout = std::chrono::minutes(5);
  const std::vector<std::string> dump{"bash", (source_dir / "scripts" / "abi-dump.sh").string(),
                                      shared_library.string(), current.string()};
  const auto dumped = run_process(dump, options);
  INFO(dumped.err);
  REQUIRE(dumped.exit_code == 0);

  const auto compared = run_process(
      {"abidiff", "--no-added-syms", "--no-show-locs", baseline.string(), current.string()},
      options);
  INFO("abidiff said:\n"
       << compared.out << compared.err
       << "\nAn incompatible change needs a new major version (project() in CMakeLists.txt); then "
          "record the new ABI with scripts/abi-dump.sh.");
  CHECK(compared.exit_code == 0);
}
