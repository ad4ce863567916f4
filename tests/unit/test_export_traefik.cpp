// SPDX-License-Identifier: Apache-2.0
// The traefik export: pem files plus one dynamic configuration file for Traefik's file provider,
// checked against a schema of that format written from Traefik's documentation
// (fixtures/traefik/file-provider-tls.schema.json); and the schema check failing on planted
// mistakes, so that a passing check means something.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "acmecpp/error.hpp"
#include "crypto/self_signed.hpp"
#include "support/json_schema_subset.hpp"
#include "support/temp_dir.hpp"
#include "tools/file_export.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

CertificateRecord self_signed(const std::string& main, const std::vector<std::string>& names) {
  const auto key = PrivateKey::generate(KeyType::ec256);
  crypto::CertificateOptions options;
  options.dns_names = names;
  options.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  options.not_after = options.not_before + std::chrono::hours(24 * 90);
  CertificateRecord record;
  record.main = main;
  record.certificate_pem = crypto::make_certificate_pem(key, options);
  record.key_pem = key.to_pem();
  return record;
}

nlohmann::json traefik_schema() {
  std::ifstream in(std::string(ACMECPP_SOURCE_DIR) +
                   "/fixtures/traefik/file-provider-tls.schema.json");
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

mode_t file_mode(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

}  // namespace

TEST_CASE("traefik export: every certificate's files and one dynamic file that passes the schema") {
  TempDir dir;
  const std::string out = (dir / "traefik").string();
  const auto wildcard = self_signed("*.example.test", {"*.example.test", "example.test"});
  const auto plain = self_signed("www.example.test", {"www.example.test"});
  const auto files = export_certificate(plain, out, ExportFormat::traefik);
  CHECK(files.fullchain == out + "/www.example.test/fullchain.pem");
  CHECK(file_mode(files.private_key) == 0600);

  // The wildcard was never exported: the dynamic file's writer exports it, as Traefik would
  // otherwise refuse the whole file for a missing certFile.
  const auto path = write_traefik_dynamic_file({plain, wildcard}, out);
  CHECK(path == out + "/traefik-tls.yml");
  CHECK(file_mode(path) == 0644);
  CHECK(read_text_file(dir / "traefik" / "_.example.test" / "fullchain.pem") ==
        wildcard.certificate_pem);
  CHECK(file_mode(dir / "traefik" / "_.example.test" / "privkey.pem") == 0600);

  const std::string text = read_text_file(path);
  CHECK(text.find("tls:\n  certificates:\n    - certFile: \"" + out +
                  "/www.example.test/fullchain.pem\"\n      keyFile: \"" + out +
                  "/www.example.test/privkey.pem\"\n    - certFile: \"" + out +
                  "/_.example.test/fullchain.pem\"\n") != std::string::npos);
  const auto document = yaml_as_json(text);
  const auto violations = schema_violations(traefik_schema(), document);
  CHECK_MESSAGE(violations.empty(), joined(violations));
  REQUIRE(document["tls"]["certificates"].size() == 2);
  for (const auto& entry : document["tls"]["certificates"]) {
    // Every file named is there, with what the store holds.
    CHECK(std::filesystem::is_regular_file(entry["certFile"].get<std::string>()));
    CHECK(std::filesystem::is_regular_file(entry["keyFile"].get<std::string>()));
  }
  CHECK(read_text_file(document["tls"]["certificates"][0]["keyFile"].get<std::string>()) ==
        plain.key_pem);
}

TEST_CASE("traefik export: files already there are not replaced by an older record") {
  TempDir dir;
  const std::string out = (dir / "out").string();
  const auto older = self_signed("race.example.test", {"race.example.test"});
  const auto newer = self_signed("race.example.test", {"race.example.test"});
  export_certificate(newer, out, ExportFormat::traefik);
  // Another worker's list of the store, read before `newer` was stored.
  write_traefik_dynamic_file({older}, out);
  CHECK(read_text_file(dir / "out" / "race.example.test" / "fullchain.pem") ==
        newer.certificate_pem);
}

TEST_CASE(
    "traefik export: an odd directory name stays one YAML string, an empty store an empty list") {
  TempDir dir;
  const std::string out = (dir / "we\"ird\\ dir: #x").string();
  const auto record = self_signed("odd.example.test", {"odd.example.test"});
  const auto path = write_traefik_dynamic_file({record}, out);
  const auto document = yaml_as_json(read_text_file(path));
  CHECK(schema_violations(traefik_schema(), document).empty());
  CHECK(document["tls"]["certificates"][0]["certFile"] == out + "/odd.example.test/fullchain.pem");

  const std::string empty_out = (dir / "empty").string();
  const auto empty = yaml_as_json(read_text_file(write_traefik_dynamic_file({}, empty_out)));
  CHECK(schema_violations(traefik_schema(), empty).empty());
  CHECK(empty["tls"]["certificates"] == nlohmann::json::array());
}

TEST_CASE("the Traefik schema check fails on planted mistakes") {
  const auto schema = traefik_schema();
  const auto violations_of = [&schema](const std::string& yaml) {
    return joined(schema_violations(schema, yaml_as_json(yaml)));
  };
  // A misspelt field: Traefik would see no certFile.
  CHECK(violations_of("tls:\n  certificates:\n    - certfile: /a.pem\n      keyFile: /k.pem\n")
            .find("/tls/certificates/0 lacks required member certFile") != std::string::npos);
  // certificates as a mapping instead of a list.
  CHECK(violations_of("tls:\n  certificates:\n    certFile: /a.pem\n    keyFile: /k.pem\n")
            .find("/tls/certificates is not of type array") != std::string::npos);
  // A certificate directly under tls, and no tls at all.
  CHECK(
      violations_of("tls:\n  certFile: /a.pem\n").find("/tls/certFile is not an allowed member") !=
      std::string::npos);
  CHECK(violations_of("tsl:\n  certificates: []\n").find("/ lacks required member tls") !=
        std::string::npos);
  // An empty path and a store that is not a list.
  CHECK(violations_of("tls:\n  certificates:\n    - certFile: \"\"\n      keyFile: /k.pem\n"
                      "      stores: default\n")
            .find("/tls/certificates/0/certFile is shorter than 1") != std::string::npos);
  CHECK(violations_of("tls:\n  certificates:\n    - certFile: /c\n      keyFile: /k\n"
                      "      stores: default\n")
            .find("/tls/certificates/0/stores is not of type array") != std::string::npos);
  // What Traefik's documentation shows passes, with stores and a default certificate.
  CHECK(violations_of("tls:\n  certificates:\n    - certFile: /c\n      keyFile: /k\n"
                      "      stores: [default]\n  stores:\n    default:\n"
                      "      defaultCertificate:\n        certFile: /c\n        keyFile: /k\n")
            .empty());
}
