// SPDX-License-Identifier: Apache-2.0
// acmectl run, the long-running scheduler: it obtains the configured certificates at start,
// picks up a newly configured name after SIGHUP, and stops cleanly on SIGTERM.

#include <doctest/doctest.h>

#include <thread>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/free_port.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

std::string config_text(const PebbleEnv& pebble, const std::string& store,
                        const std::vector<std::string>& certificate_lines) {
  std::string text = "store: " + store + "\nserver: " + pebble.directory_url() +
                     "\nca-bundle: " + pebble.ca_bundle().string() +
                     "\nagree-tos: true\naccount-key-type: ec256\nhttp-address: 127.0.0.1\n"
                     "http-port: " +
                     std::to_string(pebble.http_port()) + "\ncertificates:\n";
  for (const auto& line : certificate_lines) text += "  - names: [" + line + "]\n";
  return text;
}

/// Waits up to `limit` for the store to hold `count` certificates.
bool wait_for_certificates(const std::string& store, std::size_t count,
                           std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (AcmeJsonStore(store).certificates("letsencrypt").size() >= count) return true;
    } catch (const acmecpp::Error&) {
      // Not created yet.
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

}  // namespace

TEST_CASE("acmectl run obtains configured names, reloads on SIGHUP and stops on SIGTERM") {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  PebbleEnv pebble(options);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto config = dir / "acmectl.yaml";
  write_text_file(config, config_text(pebble, store, {"run1.example.test, www.run1.example.test"}));

  ChildProcess run({ACMECPP_ACMECTL_PATH, "run", "--config", config.string(), "--interval", "3600"},
                   {}, dir / "run.log");
  INFO("acmectl run said:\n" << read_text_file(dir / "run.log"));
  REQUIRE(wait_for_certificates(store, 1, 60s));

  write_text_file(config,
                  config_text(pebble, store,
                              {"run1.example.test, www.run1.example.test", "run2.example.test"}));
  run.kill(SIGHUP);
  REQUIRE(wait_for_certificates(store, 2, 60s));
  const auto certs = AcmeJsonStore(store).certificates("letsencrypt");
  CHECK(certs[0].main == "run1.example.test");
  CHECK(certs[1].main == "run2.example.test");

  run.kill(SIGTERM);
  const auto status = run.wait(20s);
  REQUIRE(status.has_value());
  CHECK(status->exit_code == 0);
  const std::string log = read_text_file(dir / "run.log");
  CHECK(log.find("configuration reloaded") != std::string::npos);
  CHECK(log.find("stopped") != std::string::npos);
}

TEST_CASE("acmectl run renews a stored certificate with the settings kept with it") {
  PebbleOptions options;
  options.authz_reuse_percent = 0;  // the renewal must really be validated
  PebbleEnv pebble(options);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  // Issued answering HTTP-01 on Pebble's port: that port is kept with the certificate.
  const auto issued = issue_standalone(pebble, store, {"kept.example.test"});
  REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));
  const auto serial = [&store] {
    return parse_certificate(AcmeJsonStore(store).certificates("letsencrypt").at(0).certificate_pem)
        .serial_hex;
  };
  const std::string before = serial();

  // The configuration names a port nothing validates on: only the kept port can succeed.
  std::string text = config_text(pebble, store, {"kept.example.test"});
  const std::string wrong_port = "http-port: " + std::to_string(pebble.http_port());
  text.replace(text.find(wrong_port), wrong_port.size(),
               "http-port: " + std::to_string(free_tcp_port()));
  const auto config = dir / "acmectl.yaml";
  write_text_file(config, text);

  // --days 2000: Pebble's five-year certificate is due at once.
  ChildProcess run({ACMECPP_ACMECTL_PATH, "run", "--config", config.string(), "--interval", "3600",
                    "--days", "2000"},
                   {}, dir / "run.log");
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (serial() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  run.kill(SIGTERM);
  const auto status = run.wait(20s);
  const std::string log = read_text_file(dir / "run.log");
  INFO("acmectl run said:\n" << log);
  CHECK(serial() != before);
  REQUIRE(status.has_value());
  CHECK(status->exit_code == 0);
  CHECK(log.find("renewed letsencrypt  names=kept.example.test") != std::string::npos);
  CHECK(log.find("1/1 renewed kept.example.test") != std::string::npos);
}
