// SPDX-License-Identifier: Apache-2.0
// CertManager::renew, events and export against a real Pebble (which has no ARI, so no
// "replaces" is sent here; test_ari.cpp covers that through a stand-in).

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <mutex>

#include "acmecpp/cert_manager.hpp"
#include "support/event_log.hpp"
#include "support/http01_listener.hpp"
#include "support/pebble_env.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "tools/file_export.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

std::vector<CertificateRecord> stored_certificates(const std::filesystem::path& store_path) {
  return AcmeJsonStore(store_path.string()).certificates("test");
}

mode_t file_mode(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

ProcessResult openssl_verify(const PebbleEnv& pebble, const std::string& untrusted,
                             const std::string& certificate) {
  return run_process({"openssl", "verify", "-CAfile", (pebble.state_dir() / "root.pem").string(),
                      "-untrusted", untrusted, certificate});
}

}  // namespace

TEST_CASE("renew replaces the stored certificate: same names, same key type, same TLS store") {
  PebbleEnv pebble;
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  Http01Listener listener(handler, pebble.http_port());
  EventLog log;
  auto config = pebble_manager_config(pebble, dir / "acme.json", handler);
  config.key_type = KeyType::ec384;
  config.on_event = log.callback();
  CertificateRecord original;
  {
    CertManager manager(config);
    original = manager.obtain({"renew.example.test", "www.renew.example.test"}).record;
  }
  // An operator's Traefik TLS store must survive the renewal.
  original.store = "internal";
  AcmeJsonStore(dir.path() / "acme.json").save_certificate("test", original);

  config.key_type = KeyType::rsa2048;  // the old certificate's type wins over the default
  config.store = std::make_shared<AcmeJsonStore>((dir / "acme.json").string());
  CertManager manager(config);
  const auto renewed = manager.renew(original);

  CHECK(renewed.info.dns_names ==
        std::vector<std::string>{"renew.example.test", "www.renew.example.test"});
  CHECK(renewed.info.key_type == "ec384");
  CHECK(renewed.info.serial_hex != parse_certificate(original.certificate_pem).serial_hex);
  CHECK(renewed.record.key_pem != original.key_pem);
  const auto stored = stored_certificates(dir / "acme.json");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].certificate_pem == renewed.record.certificate_pem);
  CHECK(stored[0].store == "internal");
  CHECK(stored[0].sans == std::vector<std::string>{"www.renew.example.test"});

  REQUIRE(log.events.size() == 2);
  CHECK(log.events[0].type == CertificateEventType::issued);
  CHECK(log.events[1].type == CertificateEventType::renewed);
  CHECK(log.events[1].names == renewed.record.names());
  CHECK(log.events[1].resolver == "test");
  CHECK(log.events[1].not_after == renewed.info.not_after);
}

TEST_CASE("a failed renewal is reported, counted in the store, and forgotten after success") {
  PebbleOptions options;
  options.authz_reuse_percent = 0;  // every order needs a fresh challenge
  PebbleEnv pebble(options);
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  EventLog log;
  auto config = pebble_manager_config(pebble, dir / "acme.json", handler);
  config.on_event = log.callback();
  CertManager manager(config);
  CertificateRecord original;
  {
    Http01Listener listener(handler, pebble.http_port());
    original = manager.obtain({"flaky.example.test"}).record;
  }
  // No listener: Pebble cannot reach the HTTP-01 answer.
  CHECK_THROWS(manager.renew(original));
  CHECK_THROWS(manager.renew(original));

  REQUIRE(log.events.size() == 3);
  CHECK(log.events[2].type == CertificateEventType::failed);
  CHECK_FALSE(log.events[2].error.empty());
  CHECK_FALSE(log.events[2].not_after.has_value());
  auto stored = stored_certificates(dir / "acme.json");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].certificate_pem == original.certificate_pem);
  CHECK(stored[0].renewal.failed_attempts == 2);
  REQUIRE(stored[0].renewal.last_failure.has_value());
  CHECK(std::chrono::system_clock::now() - *stored[0].renewal.last_failure <
        std::chrono::minutes(5));
  CHECK(stored[0].renewal.last_error == log.events[2].error);

  Http01Listener listener(handler, pebble.http_port());
  manager.renew(original);
  stored = stored_certificates(dir / "acme.json");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].certificate_pem != original.certificate_pem);
  // The failures are gone with the old certificate; only the account that ordered it is kept.
  auto state = stored[0].renewal;
  CHECK_FALSE(state.account_url.empty());
  state.account_url.clear();
  CHECK(state.empty());
}

TEST_CASE("exported files verify against Pebble's root, key-bearing files are 0600") {
  PebbleEnv pebble;
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  Http01Listener listener(handler, pebble.http_port());
  CertManager manager(pebble_manager_config(pebble, dir / "acme.json", handler));
  const auto issued = manager.obtain({"export.example.test", "www.export.example.test"});
  const std::string out = (dir / "out").string();

  const auto pem = export_certificate(issued.record, out, ExportFormat::pem);
  CHECK(pem.certificate == out + "/export.example.test/cert.pem");
  CHECK(pem.paths().size() == 4);
  CHECK(file_mode(pem.private_key) == 0600);
  for (const auto& path : {pem.certificate, pem.chain, pem.fullchain}) {
    CHECK(file_mode(path) == 0644);
  }
  const auto verified = openssl_verify(pebble, pem.chain, pem.certificate);
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(read_text_file(pem.fullchain) == issued.record.certificate_pem);
  CHECK(read_text_file(pem.certificate) + read_text_file(pem.chain) ==
        issued.record.certificate_pem);
  CHECK(PrivateKey::from_pem(read_text_file(pem.private_key)).to_pem() == issued.record.key_pem);
  // The chain alone does not verify as the leaf: cert.pem really is the leaf.
  CHECK(parse_certificate(read_text_file(pem.certificate)).dns_names == issued.info.dns_names);

  const auto haproxy = export_certificate(issued.record, out, ExportFormat::haproxy);
  CHECK(haproxy.paths() == std::vector<std::string>{out + "/export.example.test.pem"});
  CHECK(file_mode(haproxy.certificate) == 0600);
  const std::string combined = read_text_file(haproxy.certificate);
  CHECK(combined == issued.record.key_pem + issued.record.certificate_pem);
  const auto combined_verified = openssl_verify(pebble, haproxy.certificate, haproxy.certificate);
  INFO(combined_verified.out << combined_verified.err);
  CHECK(combined_verified.exit_code == 0);
}
