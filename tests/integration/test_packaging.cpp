// SPDX-License-Identifier: Apache-2.0
// The installed package as another project sees it: `cmake --install` of this very build tree into
// a temporary prefix, then a small consumer (tests/packaging/consumer/) built against that prefix
// only, once through the CMake package and once through pkg-config, and every public header
// compiled on its own with nothing but the installed include directory.

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "acmecpp/version.hpp"
#include "packaging_steps.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp::testing;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = ACMECPP_SOURCE_DIR;
const fs::path consumer_source = source_dir / "tests" / "packaging" / "consumer";
const fs::path fixture_certificate = source_dir / "fixtures" / "pem" / "a.example.test.chain.pem";

/// What the consumer prints when the installed library works.
std::string expected_consumer_output() {
  return "version: " + acmecpp::version() +
         "\n"
         "name: xn--bcher-kva.example\n"
         "key: ec256 256\n"
         "certificate: a.example.test a.example.test,www.a.example.test\n"
         "error: invalid input\n";
}

std::set<std::string> header_names(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

/// A temporary prefix holding what `cmake --install` of the tests' own build tree installs.
struct InstalledPrefix {
  TempDir work{"acmecpp-packaging"};
  fs::path prefix = work / "prefix";
  fs::path libdir = prefix / ACMECPP_INSTALL_LIBDIR;
  fs::path includedir = prefix / ACMECPP_INSTALL_INCLUDEDIR;
  fs::path bindir = prefix / ACMECPP_INSTALL_BINDIR;

  InstalledPrefix() {
    // Installing also rewrites install_manifest.txt in the build tree; nothing here reads it.
    run_step({ACMECPP_CMAKE_COMMAND, "--install", ACMECPP_BUILD_DIR, "--prefix", prefix.string()});
  }
};

/// `cmake` configuring the consumer in `build_dir` against the installed prefix only.
std::vector<std::string> configure_consumer(const InstalledPrefix& installed,
                                            const fs::path& build_dir) {
  return {ACMECPP_CMAKE_COMMAND,        "-S",
          consumer_source.string(),     "-B",
          build_dir.string(),           "-G",
          ACMECPP_CMAKE_GENERATOR,      "-DCMAKE_CXX_COMPILER=" ACMECPP_CXX_COMPILER,
          "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + installed.prefix.string()};
}

/// Compiles the consumer with the flags `pkg-config <query>` prints, runs it, checks its output.
void build_and_run_with_pkg_config(const InstalledPrefix& installed,
                                   const std::vector<std::string>& query, const std::string& name) {
  ProcessOptions options;
  options.env = {{"PKG_CONFIG_PATH", (installed.libdir / "pkgconfig").string()}};
  std::vector<std::string> pkg_config{"pkg-config", "--cflags", "--libs"};
  pkg_config.insert(pkg_config.end(), query.begin(), query.end());
  const auto flags = run_step(pkg_config, options).out;
  INFO("pkg-config says: " << flags);
  CHECK(flags.find("-lacmecpp") != std::string::npos);

  const auto program = installed.work / name;
  std::vector<std::string> compile{ACMECPP_CXX_COMPILER,
                                   "-std=c++17",
                                   "-Wall",
                                   "-Wextra",
                                   "-Werror",
                                   (consumer_source / "main.cpp").string(),
                                   "-o",
                                   program.string()};
  for (const auto& word : split_words(flags)) compile.push_back(word);
  // Only matters for a shared build: what a user adds for a library outside the default path.
  compile.push_back("-Wl,-rpath," + installed.libdir.string());
  run_step(compile);

  const auto run = run_step({program.string(), fixture_certificate.string()});
  CHECK(run.out == expected_consumer_output());
}

}  // namespace

TEST_CASE("cmake --install lays out headers, library, acmectl, CMake package and acmecpp.pc") {
  const InstalledPrefix installed;

  // Exactly the public headers: nothing from lib/, not the generated version_config.hpp.
  std::set<fs::path> expected_headers;
  for (const auto& name : header_names(source_dir / "include" / "acmecpp")) {
    expected_headers.insert(fs::path(ACMECPP_INSTALL_INCLUDEDIR) / "acmecpp" / name);
  }
  std::set<fs::path> installed_headers;
  for (const auto& entry : fs::recursive_directory_iterator(installed.prefix)) {
    const auto extension = entry.path().extension();
    if (extension == ".hpp" || extension == ".h") {
      installed_headers.insert(entry.path().lexically_relative(installed.prefix));
    }
  }
  CHECK(installed_headers == expected_headers);
  CHECK(fs::is_regular_file(installed.libdir / ACMECPP_LIBRARY_FILE_NAME));
  for (const char* file :
       {"acmecppConfig.cmake", "acmecppConfigVersion.cmake", "acmecppTargets.cmake"}) {
    CHECK_MESSAGE(fs::is_regular_file(installed.libdir / "cmake" / "acmecpp" / file), file);
  }
  CHECK(fs::is_regular_file(installed.libdir / "pkgconfig" / "acmecpp.pc"));

  // Without LD_LIBRARY_PATH: a shared build must find its library through acmectl's RPATH.
  // The first line is acmectl's version; the libraries' follow (test_service_packaging.cpp).
  const auto version = run_step({(installed.bindir / "acmectl").string(), "--version"});
  CHECK(version.out.rfind("acmectl " + acmecpp::version() + "\nOpenSSL ", 0) == 0);
}

TEST_CASE("every installed public header compiles on its own") {
  const InstalledPrefix installed;
  const auto units_dir = installed.work / "header-units";
  fs::create_directories(units_dir);

  std::vector<std::string> argv{ACMECPP_CXX_COMPILER,
                                "-std=c++17",
                                "-fsyntax-only",
                                "-Wall",
                                "-Wextra",
                                "-Werror",
                                "-I" + installed.includedir.string()};
  const auto headers = header_names(installed.includedir / "acmecpp");
  REQUIRE(headers.size() > 10);
  for (const auto& header : headers) {
    // One translation unit each, including the header twice: the second include proves its
    // include guard.
    const auto unit = units_dir / (fs::path(header).stem().string() + ".cpp");
    write_text_file(unit, "#include <acmecpp/" + header + ">\n#include <acmecpp/" + header + ">\n");
    argv.push_back(unit.string());
  }
  run_step(argv);
}

TEST_CASE("a CMake project uses the installed package: find_package(acmecpp CONFIG)") {
  const InstalledPrefix installed;
  ProcessOptions options;
  options.unset_env = {"CMAKE_PREFIX_PATH", "acmecpp_ROOT"};

  const auto build_dir = installed.work / "consumer-cmake";
  const auto configured = run_step(configure_consumer(installed, build_dir), options);
  const auto package_dir = installed.libdir / "cmake" / "acmecpp";
  CHECK_MESSAGE(configured.out.find("acmecpp " + acmecpp::version() + " found in " +
                                    package_dir.string()) != std::string::npos,
                configured.out);
  run_step({ACMECPP_CMAKE_COMMAND, "--build", build_dir.string()});
  const auto run = run_step({(build_dir / "consumer").string(), fixture_certificate.string()});
  CHECK(run.out == expected_consumer_output());

  // SameMajorVersion: asking for the next major version must fail at find_package.
  auto next_major = configure_consumer(installed, installed.work / "consumer-next-major");
  next_major.push_back("-DACMECPP_REQUESTED_VERSION=" + std::to_string(ACMECPP_VERSION_MAJOR + 1) +
                       ".0");
  const auto refused = run_process(next_major, options);
  INFO(describe(next_major, refused));
  CHECK(refused.exit_code != 0);
  CHECK(refused.err.find("not accepted") != std::string::npos);
  CHECK(refused.err.find("version: " + acmecpp::version()) != std::string::npos);
}

TEST_CASE("acmecpp.pc: version, and a program built with its flags runs") {
  const InstalledPrefix installed;
  ProcessOptions options;
  options.env = {{"PKG_CONFIG_PATH", (installed.libdir / "pkgconfig").string()}};
  const auto modversion = run_step({"pkg-config", "--modversion", "acmecpp"}, options);
  CHECK(modversion.out == acmecpp::version() + "\n");

  SUBCASE("pkg-config --static: the private dependencies of a static libacmecpp come along") {
    build_and_run_with_pkg_config(installed, {"--static", "acmecpp"}, "consumer-static");
  }
  SUBCASE("naming the private dependencies instead of --static (docs/PACKAGING.md)") {
    build_and_run_with_pkg_config(installed, {"acmecpp", "libcurl", "libidn2", "ldns", "hiredis"},
                                  "consumer-named");
  }
}
