// SPDX-License-Identifier: Apache-2.0
// acmectl beside Traefik: the traefik export after issue and renew (the dynamic file lists the
// whole store section and passes the schema of Traefik's file provider), and the warning of
// issue/renew when a running Traefik uses the store. Traefik itself is not installed here: a
// shell script named traefik stands in for the process that /proc shows.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "acmectl_runner.hpp"
#include "support/eventually.hpp"
#include "support/json_schema_subset.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kWarning = "warning: a running Traefik (process ";

/// The dynamic file as JSON, after checking it against the file provider's schema.
nlohmann::json checked_dynamic_file(const std::filesystem::path& file) {
  std::ifstream in(std::string(ACMECPP_SOURCE_DIR) +
                   "/fixtures/traefik/file-provider-tls.schema.json");
  REQUIRE(in);
  const auto document = yaml_as_json(read_text_file(file));
  const auto violations = schema_violations(nlohmann::json::parse(in), document);
  std::string said;
  for (const auto& line : violations) said += line + "\n";
  CHECK_MESSAGE(violations.empty(), said);
  return document;
}

std::vector<std::string> cert_files(const nlohmann::json& document) {
  std::vector<std::string> files;
  for (const auto& entry : document["tls"]["certificates"])
    files.push_back(entry["certFile"].get<std::string>());
  return files;
}

std::string stored_chain(const std::string& store, const std::string& main) {
  for (const auto& record : AcmeJsonStore(store).certificates("letsencrypt")) {
    if (record.main == main) return record.certificate_pem;
  }
  return "";
}

}  // namespace

TEST_CASE(
    "issue and renew keep a Traefik dynamic file of the whole section and warn about a "
    "running Traefik that uses the store") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto out = dir / "traefik";
  const std::vector<std::string> traefik_export{"--export-dir", out.string(), "--export-format",
                                                "traefik"};

  const auto first = issue_standalone(pebble, store, {"one.example.test"}, traefik_export);
  REQUIRE_MESSAGE(first.exit_code == 0, describe(first));
  CHECK(first.err.find(kWarning) == std::string::npos);
  CHECK(cert_files(checked_dynamic_file(out / "traefik-tls.yml")) ==
        std::vector<std::string>{(out / "one.example.test" / "fullchain.pem").string()});

  // A Traefik whose resolver "le" stores into this acme.json.
  const auto program = dir / "bin" / "traefik";
  std::filesystem::create_directories(program.parent_path());
  write_text_file(program, "#!/bin/sh\nwhile :; do sleep 1; done\n");
  ::chmod(program.c_str(), 0755);
  ChildProcess traefik({program.string(), "--certificatesresolvers.le.acme.storage=" + store});
  REQUIRE(eventually(
      [&traefik] {
        return read_text_file("/proc/" + std::to_string(traefik.pid()) + "/comm") == "traefik\n";
      },
      10s));

  const auto second = issue_standalone(pebble, store, {"two.example.test"}, traefik_export);
  REQUIRE_MESSAGE(second.exit_code == 0, describe(second));
  CHECK_MESSAGE(second.err.find(std::string(kWarning) + std::to_string(traefik.pid()) +
                                ", resolver le, from --certificatesresolvers.le.acme.storage) "
                                "uses " +
                                store + " as its ACME storage") != std::string::npos,
                second.err);
  // Both certificates, not only the one just issued.
  CHECK(cert_files(checked_dynamic_file(out / "traefik-tls.yml")) ==
        std::vector<std::string>{(out / "one.example.test" / "fullchain.pem").string(),
                                 (out / "two.example.test" / "fullchain.pem").string()});

  const auto renew_args = [&pebble, &traefik_export] {
    std::vector<std::string> args{"renew",
                                  "--force",
                                  "one.example.test",
                                  "--http-address",
                                  "127.0.0.1",
                                  "--http-port",
                                  std::to_string(pebble.http_port())};
    args.insert(args.end(), traefik_export.begin(), traefik_export.end());
    return args;
  };
  const auto warned = run_acmectl(pebble, store, renew_args());
  REQUIRE_MESSAGE(warned.exit_code == 0, describe(warned));
  CHECK(warned.err.find(kWarning) != std::string::npos);

  traefik.kill(SIGKILL);
  traefik.wait(5s);
  const auto renewed = run_acmectl(pebble, store, renew_args());
  REQUIRE_MESSAGE(renewed.exit_code == 0, describe(renewed));
  CHECK(renewed.err.find(kWarning) == std::string::npos);
  // The renewed certificate is what the listed file holds; the dynamic file lists both still.
  CHECK(read_text_file(out / "one.example.test" / "fullchain.pem") ==
        stored_chain(store, "one.example.test"));
  CHECK(cert_files(checked_dynamic_file(out / "traefik-tls.yml")).size() == 2);

  // `export --format traefik NAME` writes the files of NAME and a dynamic file of the section.
  const auto other = dir / "other";
  const auto exported =
      run_acmectl(pebble, store,
                  {"export", "--out", other.string(), "--format", "traefik", "two.example.test"});
  REQUIRE_MESSAGE(exported.exit_code == 0, describe(exported));
  CHECK(exported.out.find((other / "traefik-tls.yml").string()) != std::string::npos);
  CHECK(cert_files(checked_dynamic_file(other / "traefik-tls.yml")).size() == 2);
  struct stat info {};
  REQUIRE(::stat((other / "one.example.test" / "privkey.pem").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}
