// SPDX-License-Identifier: Apache-2.0
// acmectl on acme.json files it did not write (Traefik-format fixtures), its plain options, and
// crash safety: acmectl killed with SIGKILL at random moments never leaves an unreadable store.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "acmecpp/key.hpp"
#include "acmecpp/store.hpp"
#include "acmecpp/version.hpp"
#include "acmectl_runner.hpp"
#include "crypto/self_signed.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

ProcessResult acmectl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ACMECPP_ACMECTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

/// A copy of fixtures/NAME with mode 0600 (git keeps fixtures 0644, which stores refuse).
std::string private_copy(const TempDir& dir, const std::string& name) {
  const auto target = dir / name;
  std::filesystem::copy_file(std::filesystem::path(ACMECPP_SOURCE_DIR) / "fixtures" / name, target);
  std::filesystem::permissions(
      target, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return target.string();
}

}  // namespace

TEST_CASE("acmectl --version, --help and usage errors") {
  const auto version = acmectl({"--version"});
  CHECK(version.exit_code == 0);
  // The version line first; the linked libraries' lines follow (test_service_packaging.cpp).
  CHECK(version.out.rfind("acmectl " + acmecpp::version() + "\nOpenSSL ", 0) == 0);
  const auto help = acmectl({"--help"});
  CHECK(help.exit_code == 0);
  for (const char* word : {"register", "issue", "list", "--server", "--store", "--key-type"}) {
    CHECK_MESSAGE(help.out.find(word) != std::string::npos, word);
  }
  CHECK(acmectl({"issue", "--no-such-flag", "x.example.test"}).exit_code == 2);
  CHECK(acmectl({}).exit_code == 2);
  const auto bad_key = acmectl({"issue", "a.example.test", "--key-type", "dsa1024"});
  CHECK(bad_key.exit_code == 3);
  CHECK(bad_key.err.find("dsa1024") != std::string::npos);
}

TEST_CASE("acmectl lists every Traefik-format fixture") {
  TempDir dir;
  const std::map<std::string, std::size_t> expected = {{"traefik-rsa.acme.json", 2},
                                                       {"ec-account.acme.json", 1},
                                                       {"multi-resolver.acme.json", 2},
                                                       {"unknown-fields.acme.json", 0},
                                                       {"lowercase-members.acme.json", 0}};
  for (const auto& [name, count] : expected) {
    const auto path = private_copy(dir, name);
    const std::string before = read_text_file(path);
    const auto r = acmectl({"list", "--json", "--store", path});
    REQUIRE_MESSAGE(r.exit_code == 0, name << ": " << r.err);
    const auto listed = nlohmann::json::parse(r.out);
    if (count > 0) CHECK_MESSAGE(listed.size() == count, name);
    size_t total = 0;
    AcmeJsonStore store(path);
    for (const auto& resolver : store.resolvers()) total += store.certificates(resolver).size();
    CHECK_MESSAGE(listed.size() == total, name);
    for (const auto& entry : listed) {
      CHECK(entry["not_after"].get<std::string>().size() == 20);
      CHECK_FALSE(entry["issuer"].get<std::string>().empty());
    }
    CHECK_MESSAGE(read_text_file(path) == before, name << " was modified by list");
  }
}

TEST_CASE("a certificate valid until 9999-12-31 lists as valid until 2262, not as expired") {
  TempDir dir;
  const auto path = (dir / "acme.json").string();
  const auto key = PrivateKey::generate(KeyType::ec256);
  crypto::CertificateOptions options;
  options.dns_names = {"forever.example.test"};
  options.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  options.no_expiration = true;  // notAfter 99991231235959Z
  CertificateRecord record;
  record.main = "forever.example.test";
  record.certificate_pem = crypto::make_certificate_pem(key, options);
  record.key_pem = key.to_pem();
  AcmeJsonStore(path).save_certificate("letsencrypt", record);

  const auto json = acmectl({"list", "--json", "--store", path});
  REQUIRE_MESSAGE(json.exit_code == 0, json.err);
  const auto listed = nlohmann::json::parse(json.out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["not_after"] == "2262-01-01T00:00:00Z");
  CHECK(listed[0]["days_left"].get<long>() > 365 * 200);
  const auto text = acmectl({"list", "--store", path});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("not-after=2262-01-01T00:00:00Z") != std::string::npos);
}

TEST_CASE("a store readable by others is refused with Traefik's advice") {
  TempDir dir;
  const auto path = private_copy(dir, "traefik-rsa.acme.json");
  REQUIRE(chmod(path.c_str(), 0644) == 0);
  const auto r = acmectl({"list", "--store", path});
  CHECK(r.exit_code == 9);
  CHECK(r.err.find("permissions 644 for " + path + " are too open, please use 600") !=
        std::string::npos);
}

TEST_CASE("a store with a number out of range or a NUL after the JSON is a storage error") {
  TempDir dir;
  const auto path = (dir / "acme.json").string();
  write_text_file(path, "{\"letsencrypt\": {\"Account\": null, \"n\": 1e999}}");
  REQUIRE(chmod(path.c_str(), 0600) == 0);
  const auto range = acmectl({"list", "--store", path});
  CHECK(range.exit_code == 9);
  CHECK(range.err.find(path + " is not valid JSON: at byte 40 (line 1, column 40): number out "
                              "of range") != std::string::npos);

  write_text_file(path, std::string("{}") + '\0' + "junk");
  const auto nul = acmectl({"list", "--store", path});
  CHECK(nul.exit_code == 9);
  CHECK(nul.err.find("at byte 3 (line 1, column 3): a NUL byte after the JSON value") !=
        std::string::npos);
}

TEST_CASE("a store that does not parse is reported with its position") {
  TempDir dir;
  const auto path = (dir / "acme.json").string();
  write_text_file(path, "{\n  \"letsencrypt\": {\n    \"Account\": nul\n");
  REQUIRE(chmod(path.c_str(), 0600) == 0);
  const auto r = acmectl({"list", "--store", path});
  CHECK(r.exit_code == 9);
  CHECK(r.err.find(path) != std::string::npos);
  CHECK(r.err.find("line 3") != std::string::npos);
}

TEST_CASE("acmectl killed with SIGKILL at random moments never leaves an unreadable store") {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  PebbleEnv pebble(options);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  // A store with many certificates, so that writing it takes long enough to be hit by a kill.
  {
    const auto seed = issue_standalone(pebble, store, {"seed.example.test"});
    REQUIRE_MESSAGE(seed.exit_code == 0, describe(seed));
    AcmeJsonStore s(store);
    auto record = s.certificates("letsencrypt").at(0);
    for (int i = 0; i < 400; ++i) {
      record.main = "filler" + std::to_string(i) + ".example.test";
      s.save_certificate("letsencrypt", record);
    }
  }
  // How long one issuance into this store takes here, so that the kills land inside runs.
  const auto started = std::chrono::steady_clock::now();
  const auto timed = issue_standalone(pebble, store, {"timed.example.test"}, {"-q"});
  REQUIRE_MESSAGE(timed.exit_code == 0, describe(timed));
  const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
  MESSAGE("one issuance into a store of 400 certificates took " << duration << " ms");
  const std::size_t initial = AcmeJsonStore(store).certificates("letsencrypt").size();
  std::mt19937 random(std::random_device{}());
  int killed_running = 0;
  for (int round = 0; round < 12; ++round) {
    const auto name = "round" + std::to_string(round) + ".example.test";
    ChildProcess child(acmectl_argv(pebble, store, issue_args(pebble, {name}, {"-q"})));
    // Anywhere in the run; the store write is at its very end.
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % (duration + 1)));
    if (child.running()) ++killed_running;
    child.kill(SIGKILL);
    child.wait(std::chrono::seconds(10));
    // Whatever the moment: the store opens, parses, and lost nothing it had.
    AcmeJsonStore reread(store);
    const auto count = reread.certificates("letsencrypt").size();
    CHECK(count >= initial);
    CHECK(count <= initial + std::size_t(round) + 1);
  }
  MESSAGE("acmectl was still running at " << killed_running << " of 12 kills");
  CHECK(killed_running > 0);
  struct stat st {};
  REQUIRE(stat(store.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}
