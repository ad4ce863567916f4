// SPDX-License-Identifier: Apache-2.0
// What operators expect on day one (issue 13): a cron `renew` renews each certificate the way it
// was obtained (its settings kept in the store, never its secrets; flags given to renew win), the
// profile sticks, `issue` run twice orders once, `--days N` means N days, usage errors are one
// line, and a repeated single-value option takes the last value. Against Pebble on loopback;
// profiles through AriServer (Pebble 2.4 has none), which records every newOrder payload.

#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "acmecpp/certificate.hpp"
#include "acmecpp/key.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "crypto/self_signed.hpp"
#include "support/ari_server.hpp"
#include "support/log_timestamps.hpp"
#include "support/temp_dir.hpp"
#include "support/text_count.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

/// The "acmecpp" member of the stored entry for `main`.
nlohmann::json kept_member(const std::string& store, const std::string& main) {
  const auto document = nlohmann::json::parse(read_text_file(store));
  for (const auto& entry : document.at("letsencrypt").at("Certificates")) {
    if (entry.at("domain").at("main") == main) return entry.value("acmecpp", nlohmann::json{});
  }
  FAIL("no entry " << main);
  return {};
}

std::string serial_of(const std::string& store, const std::string& main) {
  for (const auto& c : AcmeJsonStore(store).certificates("letsencrypt")) {
    if (c.main == main) return parse_certificate(c.certificate_pem).serial_hex;
  }
  return "";
}

std::size_t orders_in(const PebbleEnv& pebble) {
  return count_occurrences(pebble.pebble_log(), "POST /order-plz");
}

/// acmectl with `args` only (no flags added).
ProcessResult acmectl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ACMECPP_ACMECTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

}  // namespace

TEST_CASE("renew without flags renews an HTTP-01 certificate on the port it was issued with") {
  // No reused authorizations: the overriding port below must really be asked to validate.
  PebbleOptions no_reuse;
  no_reuse.authz_reuse_percent = 0;
  PebbleEnv pebble(no_reuse);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto issued = issue_standalone(pebble, store, {"http.example.test"});
  REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));
  const auto kept = kept_member(store, "http.example.test");
  CHECK(kept.at("settings").at("http-port") == std::to_string(pebble.http_port()));
  CHECK(kept.at("settings").at("http-address") == "127.0.0.1");
  const std::string before = serial_of(store, "http.example.test");

  // No challenge flags: port 80 (the default) would fail; the kept port succeeds.
  const auto renewed = run_acmectl(pebble, store, {"renew", "--force"});
  REQUIRE_MESSAGE(renewed.exit_code == 0, describe(renewed));
  CHECK(renewed.out.rfind("renewed letsencrypt  names=http.example.test", 0) == 0);
  CHECK(serial_of(store, "http.example.test") != before);
  // Still kept after the renewal, for the next one.
  CHECK(kept_member(store, "http.example.test").at("settings").at("http-port") ==
        std::to_string(pebble.http_port()));

  // A flag given to renew wins over the kept setting: a port nothing answers on fails.
  const auto overridden = run_acmectl(
      pebble, store, {"renew", "--force", "--http-port", "1", "--http-address", "127.0.0.1"});
  CHECK_MESSAGE(overridden.exit_code == 11, describe(overridden));
}

TEST_CASE(
    "renew without flags renews a DNS-01 certificate through the provider it was issued "
    "with, and no secret is stored") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  std::vector<std::string> args{"issue", "dns.example.test"};
  const auto dns = challtestsrv_dns_args(pebble);
  args.insert(args.end(), dns.begin(), dns.end());
  args.insert(args.end(), {"--dns-option", "EXAMPLE_API_TOKEN=do-not-store-me"});
  const auto issued = run_acmectl(pebble, store, args);
  REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));
  const auto settings = kept_member(store, "dns.example.test").at("settings");
  CHECK(settings.at("challenge") == "dns-01");
  CHECK(settings.at("dns") == "challtestsrv");
  CHECK(settings.at("dns-option") == "CHALLTESTSRV_URL=" + pebble.challtestsrv_management_url());
  CHECK(read_text_file(store).find("do-not-store-me") == std::string::npos);

  const std::string before = serial_of(store, "dns.example.test");
  const auto renewed = run_acmectl(pebble, store, {"renew", "--force"});
  REQUIRE_MESSAGE(renewed.exit_code == 0, describe(renewed));
  CHECK(renewed.out.rfind("renewed letsencrypt  names=dns.example.test", 0) == 0);
  CHECK(serial_of(store, "dns.example.test") != before);
}

TEST_CASE("the profile a certificate was issued with is asked for again at renewal") {
  PebbleEnv pebble(counting_pebble_options());  // counts newOrder payloads
  AriServer ca(pebble, {"shortlived", "classic"});
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto with_ca = [&](std::vector<std::string> args) {
    args.insert(args.begin(), ACMECPP_ACMECTL_PATH);
    args.insert(args.end(),
                {"--server", ca.directory_url(), "--ca-bundle", pebble.ca_bundle().string(),
                 "--store", store, "--agree-tos", "--account-key-type", "ec256", "--http-address",
                 "127.0.0.1", "--http-port", std::to_string(pebble.http_port())});
    ProcessOptions options;
    options.timeout = 120s;
    return run_process(args, options);
  };
  const auto issued = with_ca({"issue", "profile.example.test", "--profile", "shortlived"});
  REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));
  REQUIRE(ca.new_order_payloads().size() == 1);
  CHECK(ca.new_order_payloads().back().value("profile", "") == "shortlived");
  CHECK(kept_member(store, "profile.example.test").at("profile") == "shortlived");

  const auto listed = with_ca({"list"});
  CHECK(listed.out.find("profile=shortlived") != std::string::npos);

  const auto renewed = with_ca({"renew", "--force"});
  REQUIRE_MESSAGE(renewed.exit_code == 0, describe(renewed));
  REQUIRE(ca.new_order_payloads().size() == 2);
  CHECK(ca.new_order_payloads().back().value("profile", "") == "shortlived");

  // The operator may name another.
  const auto other = with_ca({"renew", "--force", "--profile", "classic"});
  REQUIRE_MESSAGE(other.exit_code == 0, describe(other));
  REQUIRE(ca.new_order_payloads().size() == 3);
  CHECK(ca.new_order_payloads().back().value("profile", "") == "classic");
  CHECK(kept_member(store, "profile.example.test").at("profile") == "classic");
}

TEST_CASE("issue twice orders once: a stored certificate that is not due is kept") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto first =
      issue_standalone(pebble, store, {"twice.example.test", "www.twice.example.test"});
  REQUIRE_MESSAGE(first.exit_code == 0, describe(first));
  REQUIRE(orders_in(pebble) == 1);
  const std::string serial = serial_of(store, "twice.example.test");

  // The same names in another order and case: the same set.
  const auto second =
      issue_standalone(pebble, store, {"WWW.twice.example.test", "twice.example.test"});
  REQUIRE_MESSAGE(second.exit_code == 0, describe(second));
  CHECK(orders_in(pebble) == 1);
  CHECK(second.out.rfind("kept letsencrypt  names=twice.example.test,www.twice.example.test", 0) ==
        0);
  CHECK(second.out.find(": not due (") != std::string::npos);
  CHECK(second.out.find("use --force to replace") != std::string::npos);
  CHECK(serial_of(store, "twice.example.test") == serial);

  const auto json =
      issue_standalone(pebble, store, {"twice.example.test", "www.twice.example.test"}, {"--json"});
  REQUIRE_MESSAGE(json.exit_code == 0, describe(json));
  CHECK(nlohmann::json::parse(json.out)["kept"] == true);
  CHECK(orders_in(pebble) == 1);

  // Another set of names is another certificate; --force orders anyway.
  const auto forced = issue_standalone(
      pebble, store, {"twice.example.test", "www.twice.example.test"}, {"--force"});
  REQUIRE_MESSAGE(forced.exit_code == 0, describe(forced));
  CHECK(forced.out.rfind("issued ", 0) == 0);
  CHECK(orders_in(pebble) == 2);
  CHECK(serial_of(store, "twice.example.test") != serial);
}

TEST_CASE("renew --days N renews when fewer than N days remain, whatever the lifetime") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  // 90-day certificate with 40 days left: not due by default (30 days), due with --days 45
  // (which used to act as 30: the smaller of N and a third of the lifetime).
  const auto key = PrivateKey::generate(KeyType::ec256);
  const auto now = std::chrono::system_clock::now();
  CertificateRecord record;
  record.main = "days.example.test";
  record.certificate_pem =
      crypto::make_certificate_pem(key, {record.main}, now - 50 * 24h, now + 40 * 24h);
  record.key_pem = key.to_pem();
  AcmeJsonStore(store).save_certificate("letsencrypt", record);

  const auto by_default = run_acmectl(pebble, store, {"renew", "--check", "-v"});
  REQUIRE_MESSAGE(by_default.exit_code == 0, describe(by_default));
  CHECK(by_default.out.find("not due days.example.test") != std::string::npos);

  const auto with_days = run_acmectl(pebble, store, {"renew", "--check", "--days", "45"});
  REQUIRE_MESSAGE(with_days.exit_code == 0, describe(with_days));
  CHECK(with_days.out == "would renew days.example.test\n");

  const auto fewer = run_acmectl(pebble, store, {"renew", "--check", "--days", "35"});
  REQUIRE_MESSAGE(fewer.exit_code == 0, describe(fewer));
  CHECK(fewer.out.empty());
}

TEST_CASE("usage errors are one line with the documented prefix") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"issue", "--no-such-flag", "x.example.test"},
        std::vector<std::string>{}, std::vector<std::string>{"frobnicate"},
        std::vector<std::string>{"export"}}) {
    const auto result = acmectl(args);
    CAPTURE(result.err);
    CHECK(result.exit_code == 2);
    CHECK(without_timestamps(result.err).rfind("acmectl: error: ", 0) == 0);
    CHECK(count_occurrences(result.err, "\n") == 1);
    CHECK(result.err.back() == '\n');
  }
}

TEST_CASE("a repeated single-value option takes the last value, a list keeps every value") {
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  store_due_certificate(store, "last.example.test");
  const std::string missing = (dir / "missing.json").string();
  const auto last_wins = acmectl({"list", "--store", missing, "--store", store});
  CHECK_MESSAGE(last_wins.exit_code == 0, describe(last_wins));
  CHECK(last_wins.out.find("last.example.test") != std::string::npos);
  const auto other_order = acmectl({"list", "--store", store, "--store", missing});
  CHECK(other_order.exit_code == 9);

  const auto flags = acmectl({"list", "--store", store, "-v", "-v", "--json", "--json"});
  CHECK_MESSAGE(flags.exit_code == 0, describe(flags));
}

TEST_CASE("a configuration value that does not exist is named with its line") {
  TempDir dir;
  const auto config = dir / "values.yaml";
  const std::pair<std::string, std::string> cases[] = {
      {"email: a@example.test\nkey-type: dsa1024\n", ":2: key-type: "},
      {"resolvers:\n  le:\n    challenge: smtp-01\n", ":3: resolvers.le.challenge: "},
      {"lock-timeout: soon\n", ":1: lock-timeout: "},
  };
  for (const auto& [text, where] : cases) {
    CAPTURE(text);
    write_text_file(config, text);
    const auto result = acmectl({"--config", config.string(), "list"});
    CHECK(result.exit_code == 4);
    CHECK(without_timestamps(result.err).rfind("acmectl: error: " + config.string() + where, 0) ==
          0);
  }
}

TEST_CASE("PACKAGING.md's first pkg-config line is the one for the default (static) build") {
  const std::string text =
      read_text_file(std::filesystem::path(ACMECPP_SOURCE_DIR) / "docs" / "PACKAGING.md");
  const auto first = text.find("$(pkg-config --cflags --libs");
  REQUIRE(first != std::string::npos);
  const std::string line = text.substr(first, text.find('\n', first) - first);
  CHECK(line.find("--static") != std::string::npos);
}
