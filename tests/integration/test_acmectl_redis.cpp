// SPDX-License-Identifier: Apache-2.0
// acmectl with a Redis store (a real redis-server on loopback): --store takes the URL, migrate
// copies between acme.json and Redis both ways, export reads from Redis, and an unreachable
// Redis is a storage error naming the masked URL.

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "acmecpp/redis_store.hpp"
#include "integration/acmectl_runner.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/text_count.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kStorageExit = 9;
constexpr int kInvalidInputExit = 3;

ProcessResult acmectl(const std::vector<std::string>& args, ProcessOptions options = {}) {
  std::vector<std::string> argv{ACMECPP_ACMECTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  options.timeout = 60s;
  return run_process(argv, options);
}

void check_same_stores(Store& a, Store& b) {
  REQUIRE(a.resolvers().size() == b.resolvers().size());
  for (const auto& resolver : a.resolvers()) {
    CAPTURE(resolver);
    const auto account_a = a.load_account(resolver);
    const auto account_b = b.load_account(resolver);
    REQUIRE(account_a.has_value() == account_b.has_value());
    if (account_a) {
      CHECK(account_a->email == account_b->email);
      CHECK(account_a->uri == account_b->uri);
      CHECK(nlohmann::json::parse(account_a->registration_body) ==
            nlohmann::json::parse(account_b->registration_body));
      CHECK(account_a->private_key_der == account_b->private_key_der);
      CHECK(account_a->key_type == account_b->key_type);
    }
    auto certificates_a = a.certificates(resolver);
    auto certificates_b = b.certificates(resolver);
    REQUIRE(certificates_a.size() == certificates_b.size());
    auto by_main = [](const CertificateRecord& x, const CertificateRecord& y) {
      return x.main < y.main;
    };
    std::sort(certificates_a.begin(), certificates_a.end(), by_main);
    std::sort(certificates_b.begin(), certificates_b.end(), by_main);
    for (std::size_t i = 0; i < certificates_a.size(); ++i) {
      CHECK(certificates_a[i].main == certificates_b[i].main);
      CHECK(certificates_a[i].sans == certificates_b[i].sans);
      CHECK(certificates_a[i].certificate_pem == certificates_b[i].certificate_pem);
      CHECK(certificates_a[i].key_pem == certificates_b[i].key_pem);
      CHECK(certificates_a[i].store == certificates_b[i].store);
      CHECK(certificates_a[i].renewal == certificates_b[i].renewal);
    }
  }
}

/// Where the i-th acmectl of start_at_once writes what it prints, and what it printed so far.
std::filesystem::path output_path(const TempDir& dir, std::size_t i) {
  return dir / ("acmectl-" + std::to_string(i) + ".out");
}
std::string output_of(const TempDir& dir, std::size_t i) {
  return read_text_file(output_path(dir, i));
}

/// Starts one acmectl for each set of arguments, all at once, on `store`.
std::vector<ChildProcess> start_at_once(const PebbleEnv& pebble, const std::string& store,
                                        const TempDir& dir,
                                        const std::vector<std::vector<std::string>>& args) {
  std::vector<ChildProcess> processes;
  for (std::size_t i = 0; i < args.size(); ++i) {
    processes.emplace_back(acmectl_argv(pebble, store, args[i]), ProcessOptions{},
                           output_path(dir, i));
  }
  return processes;
}

/// Waits for each process of start_at_once and checks it succeeded. Returns what they printed,
/// together.
std::string wait_for_all(std::vector<ChildProcess>& processes, const TempDir& dir) {
  std::string outputs;
  for (std::size_t i = 0; i < processes.size(); ++i) {
    const auto status = processes[i].wait(120s);
    const auto output = output_of(dir, i);
    REQUIRE_MESSAGE(status, output);
    CHECK_MESSAGE(status->exit_code == 0, output);
    outputs += output;
  }
  return outputs;
}

std::string run_at_once(const PebbleEnv& pebble, const std::string& store, const TempDir& dir,
                        const std::vector<std::vector<std::string>>& args) {
  auto processes = start_at_once(pebble, store, dir, args);
  return wait_for_all(processes, dir);
}

}  // namespace

TEST_CASE(
    "acmectl migrate: acme.json to Redis and back gives the same accounts and certificates, "
    "and export and list read from Redis") {
  PebbleEnv pebble;
  RedisServer server;
  TempDir dir;
  const std::string original = (dir / "acme.json").string();
  auto issued =
      issue_standalone(pebble, original, {"migrate-a.example.test", "www.migrate-a.example.test"});
  REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
  issued = issue_standalone(pebble, original, {"migrate-b.example.test"});
  REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
  // Renewal state in the "acmecpp" member must survive the trip too.
  {
    AcmeJsonStore store(original);
    auto record = store.certificates_named("letsencrypt", "migrate-b.example.test").at(0);
    record.renewal.failed_attempts = 3;
    record.renewal.last_error = "kept across stores";
    store.save_certificate("letsencrypt", record);
  }

  const std::string url = server.url() + "/2?prefix=migrated";
  auto to_redis = acmectl({"migrate", "--from", original, "--to", url});
  REQUIRE_MESSAGE(to_redis.exit_code == 0, to_redis.err);
  CHECK(to_redis.out.find("migrated 1 accounts and 2 certificates") != std::string::npos);
  RedisStore redis(parse_redis_url(url));
  AcmeJsonStore original_store(original);
  check_same_stores(original_store, redis);

  // A target that holds something is refused unless --force.
  const auto refused = acmectl({"migrate", "--from", original, "--to", url});
  CHECK(refused.exit_code == kInvalidInputExit);
  CHECK(refused.err.find("not empty") != std::string::npos);
  const auto forced = acmectl({"migrate", "--from", original, "--to", url, "--force"});
  CHECK_MESSAGE(forced.exit_code == 0, forced.err);

  const std::string back = (dir / "back.json").string();
  const auto to_file = acmectl({"migrate", "--from", url, "--to", back});
  REQUIRE_MESSAGE(to_file.exit_code == 0, to_file.err);
  AcmeJsonStore back_store(back);
  check_same_stores(original_store, back_store);
  // Still Traefik's layout: resolver -> Account, Certificates.
  const auto document = nlohmann::json::parse(read_text_file(back));
  REQUIRE(document.contains("letsencrypt"));
  CHECK(document["letsencrypt"]["Account"]["PrivateKey"].is_string());
  CHECK(document["letsencrypt"]["Certificates"].size() == 2);
  CHECK((std::filesystem::status(back).permissions() & std::filesystem::perms::group_all) ==
        std::filesystem::perms::none);

  const auto listed = acmectl({"list", "--store", url});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  CHECK(listed.out.find("migrate-a.example.test") != std::string::npos);
  CHECK(listed.out.find("migrate-b.example.test") != std::string::npos);

  const auto out = dir / "exported";
  const auto exported =
      acmectl({"export", "--store", url, "--out", out.string(), "migrate-a.example.test"});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  const auto stored = redis.certificates_named("letsencrypt", "migrate-a.example.test").at(0);
  bool found_chain = false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
    if (!entry.is_regular_file()) continue;
    if (read_text_file(entry.path()).find(stored.certificate_pem.substr(0, 200)) !=
        std::string::npos) {
      found_chain = true;
    }
  }
  CHECK(found_chain);
}

TEST_CASE(
    "acmectl with Redis stopped: the storage exit code and one line naming the masked URL, "
    "within seconds, and it works again once Redis is back") {
  RedisServer server({"list-secret", "", ""});
  const std::string url = "redis://127.0.0.1:" + std::to_string(server.port()) + "/0";
  ProcessOptions with_password;
  with_password.env = {{"ACMECPP_REDIS_PASSWORD", "list-secret"}};
  const auto before = acmectl({"list", "--store", url}, with_password);
  CHECK_MESSAGE(before.exit_code == 0, before.err);

  // Without the password from the environment, AUTH is missing: Redis refuses.
  const auto no_password = acmectl({"list", "--store", url});
  CHECK(no_password.exit_code == kStorageExit);

  server.stop();
  const auto started = std::chrono::steady_clock::now();
  const auto down = acmectl({"list", "--store", url}, with_password);
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK(down.exit_code == kStorageExit);
  CHECK(std::count(down.err.begin(), down.err.end(), '\n') == 1);
  CHECK(down.err.find("redis://:***@127.0.0.1:" + std::to_string(server.port()) + "/0") !=
        std::string::npos);
  CHECK(down.err.find("list-secret") == std::string::npos);

  server.start();
  const auto after = acmectl({"list", "--store", url}, with_password);
  CHECK_MESSAGE(after.exit_code == 0, after.err);
}

TEST_CASE(
    "two acmectl issue processes for the same names through one Redis: one account "
    "registration, one order") {
  PebbleEnv pebble(counting_pebble_options());
  RedisServer server;
  TempDir dir;
  const std::string url = server.url() + "?prefix=race";
  const std::vector<std::string> names{"race.example.test", "www.race.example.test"};
  // The test holds the name's lock until both processes say they wait for it, so that the race
  // happens whatever their start-up times (under ASan the second may otherwise start after the
  // first has stored the certificate, and only print "kept").
  RedisStore holder(parse_redis_url(url));
  auto held = holder.lock_name("letsencrypt", names.front(), 0ms);
  REQUIRE(held);
  auto processes =
      start_at_once(pebble, url, dir, {issue_args(pebble, names), issue_args(pebble, names)});
  const bool both_wait = eventually([&] {
    return output_of(dir, 0).find("holds the lock") != std::string::npos &&
           output_of(dir, 1).find("holds the lock") != std::string::npos;
  });
  REQUIRE_MESSAGE(both_wait, (output_of(dir, 0) + output_of(dir, 1)));
  held.reset();
  const std::string outputs = wait_for_all(processes, dir);
  const auto log = pebble.pebble_log();
  CHECK_MESSAGE(pebble.new_order_requests() == 1, log);
  CHECK_MESSAGE(count_occurrences(log, "POST /sign-me-up") == 1, log);
  CHECK(outputs.find("issued by another process") != std::string::npos);
  RedisStore store(parse_redis_url(url));
  CHECK(store.certificates("letsencrypt").size() == 1);
}

TEST_CASE(
    "two acmectl issue processes for different names through one fresh Redis: the account is "
    "registered once") {
  PebbleEnv pebble(counting_pebble_options());
  RedisServer server;
  TempDir dir;
  const std::string url = server.url() + "?prefix=accounts";
  // One answers HTTP-01, the other TLS-ALPN-01, so that their standalone servers do not meet.
  const std::vector<std::vector<std::string>> args{
      issue_args(pebble, {"http.accounts.example.test"}),
      {"issue", "alpn.accounts.example.test", "--challenge", "tls-alpn-01", "--tls-address",
       "127.0.0.1", "--tls-port", std::to_string(pebble.tls_port())}};
  run_at_once(pebble, url, dir, args);
  const auto log = pebble.pebble_log();
  CHECK_MESSAGE(pebble.new_order_requests() == 2, log);
  CHECK_MESSAGE(count_occurrences(log, "POST /sign-me-up") == 1, log);
  CHECK(RedisStore(parse_redis_url(url)).certificates("letsencrypt").size() == 2);
}
