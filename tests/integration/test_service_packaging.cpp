// SPDX-License-Identifier: Apache-2.0
// The files that make acmectl a system service (packaging/, cmake/Packaging.cmake), each checked
// by the program that reads it: systemd-analyze for the units, man and groff for the man page,
// bash for the completion (driven as bash's completion would), acmectl itself for the example
// configurations, readelf and dpkg for the Docker image's runtime packages, openssl and
// curl-config for what `acmectl --version` says. Docker itself cannot run here: the Dockerfiles
// are checked as text (see the last test cases).

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "packaging_steps.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp::testing;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = ACMECPP_SOURCE_DIR;
const fs::path packaging_build = ACMECPP_PACKAGING_BUILD_DIR;
const fs::path acmectl = ACMECPP_ACMECTL_PATH;
const std::vector<std::string> unit_files{"acmectl.service", "acmectl-renew.service",
                                          "acmectl-renew.timer"};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

/// The "Key=Value" settings of a unit file, every value of a key in order.
std::multimap<std::string, std::string> unit_settings(const std::string& text) {
  std::multimap<std::string, std::string> settings;
  for (const auto& line : lines_of(text)) {
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const auto equals = line.find('=');
    if (equals != std::string::npos) {
      settings.emplace(line.substr(0, equals), line.substr(equals + 1));
    }
  }
  return settings;
}

std::string setting(const std::multimap<std::string, std::string>& settings,
                    const std::string& key) {
  const auto found = settings.find(key);
  return found == settings.end() ? std::string("(not set)") : found->second;
}

/// Copies of the built units (and the man page) in a temporary directory, with ExecStart naming
/// the acmectl of this build instead of the installed path (which does not exist here).
struct UnitCopies {
  TempDir dir{"acmecpp-units"};
  std::vector<std::string> paths;
  fs::path man_dir = dir / "man";

  UnitCopies() {
    for (const auto& unit : unit_files) {
      const auto text = read_text_file(packaging_build / "systemd" / unit);
      const auto copy = dir / unit;
      write_text_file(copy, replace_all(text, ACMECPP_CONFIGURED_ACMECTL, acmectl.string()));
      paths.push_back(copy.string());
    }
    if (!std::string(ACMECPP_MAN_PAGE_FILE).empty()) {
      fs::create_directories(man_dir / "man1");
      fs::copy_file(ACMECPP_MAN_PAGE_FILE, man_dir / "man1" / "acmectl.1");
    }
  }

  /// systemd-analyze verify on `units`; Documentation=man:acmectl(1) is looked up in the built
  /// man page when there is one.
  ProcessResult verify(const std::vector<std::string>& units) const {
    std::vector<std::string> argv{"systemd-analyze", "verify"};
    ProcessOptions options;
    if (fs::exists(man_dir)) {
      options.env = {{"MANPATH", man_dir.string()}};
    } else {
      argv.push_back("--man=no");
    }
    argv.insert(argv.end(), units.begin(), units.end());
    return run_process(argv, options);
  }
};

/// The options an --help text lists ("-v,--verbose" gives both names).
std::set<std::string> help_options(const std::string& help) {
  std::set<std::string> options;
  static const std::regex option_line(R"(^  ((-[A-Za-z]),)?(--[a-z0-9-]+))");
  for (const auto& line : lines_of(help)) {
    std::smatch match;
    if (!std::regex_search(line, match, option_line)) continue;
    if (match[2].matched) options.insert(match[2]);
    options.insert(match[3]);
  }
  return options;
}

/// The subcommands `acmectl --help` lists.
std::vector<std::string> help_subcommands(const std::string& help) {
  std::vector<std::string> names;
  bool listing = false;
  static const std::regex entry(R"(^  ([a-z][a-z0-9-]*) )");
  for (const auto& line : lines_of(help)) {
    if (line == "Subcommands:") listing = true;
    std::smatch match;
    if (listing && std::regex_search(line, match, entry)) names.push_back(match[1]);
  }
  return names;
}

const fs::path completion_file = packaging_build / "completion" / "acmectl";

/// What bash's completion offers for the command line `words` (the last one being completed):
/// the generated script sourced into a fresh bash, _acmectl called as `complete -F` would.
std::vector<std::string> complete(const std::vector<std::string>& words) {
  std::vector<std::string> argv{
      "bash",
      "--norc",
      "--noprofile",
      "-c",
      "source \"$1\" || exit 1; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1));"
      " _acmectl acmectl \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD - 1]}\";"
      " printf '%s\\n' \"${COMPREPLY[@]}\"",
      "bash",
      completion_file.string()};
  argv.insert(argv.end(), words.begin(), words.end());
  const auto result = run_step(argv);
  CHECK(result.err.empty());
  std::vector<std::string> offered;
  for (const auto& line : lines_of(result.out)) {
    if (!line.empty()) offered.push_back(line);
  }
  return offered;
}

std::set<std::string> as_set(const std::vector<std::string>& items) {
  return {items.begin(), items.end()};
}

/// "3.0" of "3.0.19" (or of "3.0.19-dev").
std::string major_minor(const std::string& version) {
  std::smatch match;
  static const std::regex pattern(R"(^(\d+)\.(\d+))");
  REQUIRE_MESSAGE(std::regex_search(version, match, pattern), version);
  return match[1].str() + "." + match[2].str();
}

/// The value of `NAME="..."` in a Dockerfile's ARG line.
std::string dockerfile_arg(const std::string& dockerfile, const std::string& name) {
  std::smatch match;
  const std::regex pattern("\nARG " + name + "=\"([^\"]*)\"");
  REQUIRE_MESSAGE(std::regex_search(dockerfile, match, pattern), "no ARG " << name);
  return match[1];
}

/// The Debian package that holds `file` (dpkg -S), without an architecture qualifier. Used only
/// where acmectl is linked statically (the Docker image holds that acmectl).
[[maybe_unused]] std::string debian_package_of(const fs::path& file) {
  auto result = run_process({"dpkg", "-S", file.string()});
  if (result.exit_code != 0) {
    // usrmerge: dpkg may know the file under the other of /lib and /usr/lib.
    result = run_process({"dpkg", "-S", fs::canonical(file).string()});
  }
  INFO("dpkg -S " << file.string() << ": " << result.err);
  REQUIRE(result.exit_code == 0);
  const auto package = result.out.substr(0, result.out.find(':'));
  return package.substr(0, package.find(','));
}

}  // namespace

TEST_CASE("the systemd units pass systemd-analyze verify, with every warning an error") {
  const UnitCopies units;
  const auto verified = units.verify(units.paths);
  INFO(describe({"systemd-analyze verify"}, verified));
  CHECK(verified.exit_code == 0);
  CHECK(verified.err.empty());

  SUBCASE("the check sees a mistake: a misspelt setting is reported") {
    const auto bad = units.dir / "acmectl-bad.service";
    write_text_file(bad, replace_all(read_text_file(units.paths[0]), "ProtectSystem=strict",
                                     "ProtectSytem=strict"));
    const auto result = units.verify({bad.string()});
    CHECK(result.err.find("Unknown key") != std::string::npos);
  }
}

TEST_CASE("the units run acmectl as documented, hardened") {
  const UnitCopies units;
  const auto service = unit_settings(read_text_file(units.dir / "acmectl.service"));
  const auto config = std::string(ACMECPP_CONFIGURED_CONFIG);
  CHECK(setting(service, "ExecStart") == acmectl.string() + " --config " + config + " run");
  CHECK(setting(service, "ExecReload") == "/bin/kill -HUP $MAINPID");
  CHECK(setting(service, "Restart") == "on-failure");
  const auto renew = unit_settings(read_text_file(units.dir / "acmectl-renew.service"));
  CHECK(setting(renew, "Type") == "oneshot");
  CHECK(setting(renew, "ExecStart") == acmectl.string() + " --config " + config + " renew");
  for (const auto* unit : {&service, &renew}) {
    CHECK(setting(*unit, "NoNewPrivileges") == "yes");
    CHECK(setting(*unit, "ProtectSystem") == "strict");
    CHECK(setting(*unit, "ReadWritePaths") == "/var/lib/acmectl");
    CHECK(setting(*unit, "StateDirectory") == "acmectl");
    CHECK(setting(*unit, "StateDirectoryMode") == "0700");
    CHECK(setting(*unit, "ProtectHome") == "yes");
    CHECK(setting(*unit, "PrivateTmp") == "yes");
    CHECK(setting(*unit, "CapabilityBoundingSet") == "CAP_NET_BIND_SERVICE");
    CHECK(setting(*unit, "RestrictAddressFamilies") == "AF_INET AF_INET6 AF_UNIX AF_NETLINK");
  }
  const auto timer = unit_settings(read_text_file(units.dir / "acmectl-renew.timer"));
  CHECK(setting(timer, "OnCalendar") == "*-*-* 00,12:00:00");
  CHECK(setting(timer, "RandomizedDelaySec") == "12h");
  CHECK(setting(timer, "Persistent") == "true");

  // systemd's own measure of the sandbox: "OK" is an exposure of at most 3.9 of 10 (a unit
  // without any hardening scores 9.6, UNSAFE). --threshold fails the command above it.
  for (const auto& unit : {units.dir / "acmectl.service", units.dir / "acmectl-renew.service"}) {
    const std::vector<std::string> argv{"systemd-analyze", "security", "--offline=true",
                                        "--threshold=30", unit.string()};
    const auto result = run_process(argv);
    INFO(describe(argv, result));
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("Overall exposure level") != std::string::npos);
  }
  SUBCASE("the threshold holds: a unit without hardening fails it") {
    const auto plain = units.dir / "plain.service";
    write_text_file(plain, "[Service]\nExecStart=/bin/true\n");
    CHECK(run_process(
              {"systemd-analyze", "security", "--offline=true", "--threshold=30", plain.string()})
              .exit_code != 0);
  }
}

TEST_CASE("the cron file runs acmectl renew with a random wait, once its configuration exists") {
  const auto text = read_text_file(packaging_build / "cron" / "acmectl");
  std::vector<std::string> jobs;
  for (const auto& line : lines_of(text)) {
    if (!line.empty() && line[0] != '#' && line.find('=') == std::string::npos) {
      jobs.push_back(line);
    }
  }
  REQUIRE(jobs.size() == 1);
  const auto fields = split_words(jobs[0]);
  REQUIRE(fields.size() > 6);
  CHECK(fields[5] == "root");  // /etc/cron.d: minute hour day month weekday user command
  const auto command = jobs[0].substr(jobs[0].find(" root ") + 6);
  CHECK(command.find(std::string(ACMECPP_CONFIGURED_ACMECTL) + " --config " +
                     ACMECPP_CONFIGURED_CONFIG + " renew --jitter ") != std::string::npos);
  // Quiet: only news reaches cron's mail, not a summary line every run.
  CHECK(command.find(" renew --jitter 43200 -q") != std::string::npos);
  // The shell cron hands it to parses it, and acmectl knows the option it uses.
  run_step({"sh", "-n", "-c", command});
  CHECK(run_step({acmectl.string(), "renew", "--help"}).out.find("--jitter") != std::string::npos);
}

TEST_CASE("the example configurations load") {
  TempDir dir;
  const auto store = dir / "acme.json";
  write_text_file(store, "{}");
  fs::permissions(store, fs::perms::owner_read | fs::perms::owner_write);
  for (const auto& example : {source_dir / "packaging" / "config" / "acmectl.yaml",
                              source_dir / "packaging" / "docker" / "acmectl.yaml"}) {
    CAPTURE(example.string());
    const auto text = read_text_file(example);
    const std::vector<std::string> list{acmectl.string(), "--config",     example.string(),
                                        "--store",        store.string(), "list"};
    const auto listed = run_process(list);
    INFO(describe(list, listed));
    CHECK(listed.exit_code == 0);
    CHECK(listed.err.empty());
    // `list` reads the whole file: the same file with one unknown key more is refused (exit 4).
    const auto broken = dir / "broken.yaml";
    write_text_file(broken, text + "no-such-setting: 1\n");
    auto refused_argv = list;
    refused_argv[2] = broken.string();
    CHECK(run_process(refused_argv).exit_code == 4);
  }
}

TEST_CASE("acmectl.1 renders with man -l and groff without a warning") {
  if (std::string(ACMECPP_MAN_PAGE_FILE).empty()) {
    MESSAGE("no man page in this build (help2man was not found at configure time)");
    return;
  }
  const std::string page = ACMECPP_MAN_PAGE_FILE;
  ProcessOptions options;
  options.env = {{"MANWIDTH", "80"}, {"LC_ALL", "C.UTF-8"}, {"MANPAGER", "cat"}};
  const auto man = run_step({"man", "--warnings", "-l", page}, options);
  CHECK(man.err.empty());
  CHECK(man.out.find("acmectl - obtain and keep TLS certificates") != std::string::npos);
  const auto groff = run_step({"groff", "-man", "-Tutf8", "-ww", "-z", page}, options);
  CHECK(groff.err.empty());

  // Every subcommand has its section, with its own options; the version is the build's.
  const auto help = run_step({acmectl.string(), "--help"}).out;
  for (const auto& name : help_subcommands(help)) {
    CAPTURE(name);
    CHECK(man.out.find("\n   " + name + "\n") != std::string::npos);
    for (const auto& option : help_options(run_step({acmectl.string(), name, "--help"}).out)) {
      CHECK_MESSAGE(man.out.find(option) != std::string::npos, option);
    }
  }
  const auto version = lines_of(run_step({acmectl.string(), "--version"}).out).front();
  CHECK(man.out.find(version) != std::string::npos);
}

TEST_CASE("the bash completion loads and offers what acmectl --help lists") {
  const auto registered =
      run_step({"bash", "--norc", "--noprofile", "-c", "source \"$1\" && complete -p acmectl",
                "bash", completion_file.string()});
  CHECK(registered.out == "complete -F _acmectl acmectl\n");

  const auto help = run_step({acmectl.string(), "--help"}).out;
  const auto subcommands = help_subcommands(help);
  REQUIRE(subcommands.size() >= 8);
  CHECK(as_set(complete({"acmectl", ""})) == as_set(subcommands));
  CHECK(as_set(complete({"acmectl", "re"})) ==
        std::set<std::string>{"register", "renew", "revoke"});
  // Options before the subcommand, with and without their values, are stepped over.
  CHECK(as_set(complete({"acmectl", "-v", "--store", "x.json", "--staging", "li"})) ==
        std::set<std::string>{"list"});

  const auto common = help_options(help);
  for (const auto& name : subcommands) {
    CAPTURE(name);
    auto expected = common;
    const auto own = help_options(run_step({acmectl.string(), name, "--help"}).out);
    expected.insert(own.begin(), own.end());
    // Exactly the options acmectl knows there: none missing, none made up.
    CHECK(as_set(complete({"acmectl", name, "-"})) == expected);
    CHECK(as_set(complete({"acmectl", "--store", "x.json", name, "-"})) == expected);
  }
  CHECK(as_set(complete({"acmectl", "renew", "--ji"})) == std::set<std::string>{"--jitter"});
  CHECK(as_set(complete({"acmectl", "account", ""})) ==
        std::set<std::string>{"show", "update", "rollover", "deactivate"});

  // An option's value is a file name: --store, --config, issue --batch.
  TempDir dir;
  write_text_file(dir / "acme.json", "{}");
  const auto prefix = (dir / "ac").string();
  const std::set<std::string> store{(dir / "acme.json").string()};
  CHECK(as_set(complete({"acmectl", "--store", prefix})) == store);
  CHECK(as_set(complete({"acmectl", "--store", "=", prefix})) == store);
  CHECK(as_set(complete({"acmectl", "issue", "--batch", prefix})) == store);
}

TEST_CASE("acmectl --version names the OpenSSL, libcurl, nghttp2, libidn2 and ldns it runs with") {
  const auto lines = lines_of(run_step({acmectl.string(), "--version"}).out);
  REQUIRE(!lines.empty());
  CHECK(lines.front().rfind("acmectl ", 0) == 0);
  std::map<std::string, std::string> reported;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto words = split_words(lines[i]);
    REQUIRE_MESSAGE(words.size() == 2, lines[i]);
    reported[words[0]] = words[1];
  }
  INFO("acmectl --version reported " << reported.size() << " libraries");

  // `openssl version`: "OpenSSL 3.0.19 27 Jan 2026 (Library: ...)"; curl-config: "libcurl 7.88.1".
  const auto openssl = split_words(run_step({"openssl", "version"}).out);
  REQUIRE(openssl.size() > 1);
  REQUIRE(reported.count("OpenSSL") == 1);
  CHECK(major_minor(reported["OpenSSL"]) == major_minor(openssl[1]));
  const auto curl = split_words(run_step({"curl-config", "--version"}).out);
  REQUIRE(curl.size() == 2);
  REQUIRE(reported.count("libcurl") == 1);
  CHECK(major_minor(reported["libcurl"]) == major_minor(curl[1]));
  // nghttp2 only when libcurl was built with HTTP/2 (Debian's is).
  const auto features = run_step({"curl-config", "--features"}).out;
  if (features.find("HTTP2") != std::string::npos) {
    const auto nghttp2 = run_step({"pkg-config", "--modversion", "libnghttp2"}).out;
    REQUIRE(reported.count("nghttp2") == 1);
    CHECK(major_minor(reported["nghttp2"]) == major_minor(nghttp2));
  }
  for (const auto& [name, module] :
       std::map<std::string, std::string>{{"libidn2", "libidn2"}, {"ldns", "ldns"}}) {
    CAPTURE(name);
    REQUIRE(reported.count(name) == 1);
    CHECK(major_minor(reported[name]) ==
          major_minor(run_step({"pkg-config", "--modversion", module}).out));
  }

  // The same text after other arguments (CLI11's version flag, not the fast path).
  CHECK(run_step({acmectl.string(), "-v", "--version"}).out ==
        run_step({acmectl.string(), "--version"}).out);
}

TEST_CASE("cmake --install puts the service files, man page and completion in place") {
  TempDir work("acmecpp-service-install");
  const auto prefix = work / "prefix";
  run_step({ACMECPP_CMAKE_COMMAND, "--install", ACMECPP_BUILD_DIR, "--prefix", prefix.string()});

  std::vector<fs::path> expected{
      fs::path(ACMECPP_INSTALL_DATADIR) / "bash-completion" / "completions" / "acmectl",
      fs::path(ACMECPP_INSTALL_DOCDIR) / "examples" / "acmectl.yaml",
      fs::path(ACMECPP_INSTALL_DOCDIR) / "LICENSE", fs::path(ACMECPP_INSTALL_DOCDIR) / "NOTICE"};
  if (!std::string(ACMECPP_SYSTEMD_UNITDIR).empty()) {
    // Relative: under the prefix (an absolute one, for prefix /usr, would leave the temporary
    // prefix, and this test would write into the system).
    REQUIRE(fs::path(ACMECPP_SYSTEMD_UNITDIR).is_relative());
    for (const auto& unit : unit_files)
      expected.push_back(fs::path(ACMECPP_SYSTEMD_UNITDIR) / unit);
  }
  if (!std::string(ACMECPP_CRON_DIR).empty()) {
    REQUIRE(fs::path(ACMECPP_CRON_DIR).is_relative());
    expected.push_back(fs::path(ACMECPP_CRON_DIR) / "acmectl");
  }
  if (!std::string(ACMECPP_MAN_PAGE_FILE).empty()) {
    expected.push_back(fs::path(ACMECPP_INSTALL_MANDIR) / "man1" / "acmectl.1");
  }
  for (const auto& file : expected) {
    CHECK_MESSAGE(fs::is_regular_file(prefix / file), file.string());
  }
  CHECK(read_text_file(prefix / ACMECPP_INSTALL_DOCDIR / "LICENSE").find("Apache License") !=
        std::string::npos);
}

TEST_CASE("the Docker image installs exactly the packages of the libraries acmectl loads") {
  const auto dockerfile = read_text_file(source_dir / "packaging" / "docker" / "Dockerfile");
  const auto listed = split_words(dockerfile_arg(dockerfile, "RUNTIME_PACKAGES"));
  REQUIRE(!listed.empty());
#if ACMECPP_ACMECTL_STATIC
  // The image builds acmectl as this tree did (static, ACMECPP_STATIC_ACMECTL=ON, from the same
  // Debian packages), so it needs the libraries this acmectl names in its dynamic section.
  const auto ldd = run_step({"ldd", acmectl.string()}).out;
  std::map<std::string, fs::path> resolved;  // soname -> path, as the loader finds it here
  static const std::regex ldd_line(R"(^\s*(\S+) => (\S+) )");
  // The dynamic loader, which acmectl names too, is listed by its path.
  static const std::regex loader_line(R"(^\s*(/\S+) \()");
  for (const auto& line : lines_of(ldd)) {
    std::smatch match;
    if (std::regex_search(line, match, ldd_line)) {
      resolved[match[1]] = match[2].str();
    } else if (std::regex_search(line, match, loader_line)) {
      resolved[fs::path(match[1].str()).filename().string()] = match[1].str();
    }
  }
  std::set<std::string> needed_packages;
  static const std::regex needed_line(R"(\(NEEDED\)\s+Shared library: \[([^\]]+)\])");
  const auto dynamic = run_step({"readelf", "-d", acmectl.string()}).out;
  for (const auto& line : lines_of(dynamic)) {
    std::smatch match;
    if (!std::regex_search(line, match, needed_line)) continue;
    INFO("ldd acmectl:\n" << ldd);
    REQUIRE_MESSAGE(resolved.count(match[1]) == 1, match[1]);
    needed_packages.insert(debian_package_of(resolved[match[1]]));
  }
  REQUIRE(!needed_packages.empty());
  CHECK(as_set(listed) == needed_packages);
#else
  MESSAGE(
      "acmectl is linked to shared libraries here, the image's acmectl statically: its "
      "package list cannot be compared with this build's");
#endif
}

TEST_CASE("the Dockerfiles take everything from Debian 12's packages and this checkout") {
  const auto install_deps = split_words(read_text_file(source_dir / "scripts" / "install-deps.sh"));
  const std::set<std::string> known_packages(install_deps.begin(), install_deps.end());
  for (const auto* name : {"Dockerfile", "nginx.Dockerfile"}) {
    CAPTURE(name);
    const auto text = read_text_file(source_dir / "packaging" / "docker" / name);
    // Base images: Debian 12 only. Nothing fetched but through apt.
    static const std::regex from_line(R"(^FROM (\S+))");
    int images = 0;
    for (const auto& line : lines_of(text)) {
      std::smatch match;
      if (std::regex_search(line, match, from_line)) {
        CHECK(match[1] == "debian:12");
        ++images;
      }
      if (line.rfind('#', 0) == 0) continue;
      for (const auto* fetch : {"curl ", "wget ", "git clone", "ADD http", "ADD git"}) {
        CHECK_MESSAGE(line.find(fetch) == std::string::npos, line);
      }
    }
    CHECK(images >= 1);
  }
  // The build stage's packages are those scripts/install-deps.sh installs for this very build,
  // so a misspelt one would not go unnoticed.
  const auto dockerfile = read_text_file(source_dir / "packaging" / "docker" / "Dockerfile");
  const auto build_stage = dockerfile.substr(0, dockerfile.find("\nFROM debian:12\n"));
  const auto start = build_stage.find("--no-install-recommends");
  const auto end = build_stage.find("&& rm -rf", start);
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  for (const auto& word : split_words(build_stage.substr(start, end - start))) {
    if (word == "\\" || word.rfind("--", 0) == 0) continue;
    CHECK_MESSAGE(known_packages.count(word) == 1, word);
  }
}

TEST_CASE("the compose example's nginx configuration passes nginx -t") {
  // Debian's nginx, as nginx.Dockerfile installs it, reads the two server blocks; only what
  // exists in the containers alone is moved: the upstream host (acmectl, a compose service
  // name), the certificate directory and the ports (unprivileged, loopback).
  TempDir dir("acmecpp-nginx");
  const auto docker = source_dir / "packaging" / "docker";
  const auto certs = dir / "certs" / "example.com";
  fs::create_directories(certs);
  fs::create_directories(dir / "logs");
  run_step({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", (certs / "privkey.pem").string(), "-out",
            (certs / "fullchain.pem").string(), "-subj", "/CN=example.com", "-days", "1"});
  auto http = read_text_file(docker / "nginx.conf");
  http = replace_all(http, "http://acmectl:8080", "http://127.0.0.1:8080");
  http = replace_all(http, "listen 80;", "listen 127.0.0.1:8080;");
  auto https = read_text_file(docker / "https.conf");
  https = replace_all(https, "/certs/", (dir / "certs").string() + "/");
  https = replace_all(https, "listen 443 ssl", "listen 127.0.0.1:8443 ssl");
  write_text_file(dir / "acme.conf", http);
  write_text_file(dir / "https.conf", https);
  write_text_file(dir / "nginx.conf", "pid " + (dir / "nginx.pid").string() + ";\nerror_log " +
                                          (dir / "logs" / "error.log").string() +
                                          ";\nevents {}\nhttp {\n  access_log off;\n  include " +
                                          (dir / "acme.conf").string() + ";\n  include " +
                                          (dir / "https.conf").string() + ";\n}\n");
  const auto tested = run_step(
      {"nginx", "-t", "-c", (dir / "nginx.conf").string(), "-p", dir.path().string() + "/"});
  CHECK(tested.err.find("test is successful") != std::string::npos);
  // The container's command that switches HTTPS on and reloads: at least it parses.
  run_step({"sh", "-n", (docker / "nginx-certificates.sh").string()});
}
