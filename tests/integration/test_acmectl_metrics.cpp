// SPDX-License-Identifier: Apache-2.0
// acmectl run --metrics-listen: the daemon serves Prometheus text with the stored certificates'
// expiry and its counts (checked by promtool, Prometheus's own parser and linter), refuses an
// address it cannot use, and backs off from a certificate it cannot obtain (until SIGHUP).

#include <doctest/doctest.h>
#include <httplib.h>

#include <regex>
#include <thread>

#include "acmecpp/certificate.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/free_port.hpp"
#include "support/temp_dir.hpp"
#include "support/text_count.hpp"
#include "unit/transport_test_support.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

/// A configuration for `run` against `pebble`, answering HTTP-01 on `http_port`.
std::string config_text(const PebbleEnv& pebble, const std::string& store, std::uint16_t http_port,
                        const std::vector<std::string>& names) {
  std::string text = "store: " + store + "\nserver: " + pebble.directory_url() +
                     "\nca-bundle: " + pebble.ca_bundle().string() +
                     "\nagree-tos: true\naccount-key-type: ec256\nhttp-address: 127.0.0.1\n"
                     "http-port: " +
                     std::to_string(http_port) + "\ncertificates:\n";
  for (const auto& name : names) text += "  - names: [" + name + "]\n";
  return text;
}

/// Waits up to `limit` until the file holds `what` `times` times; returns its text.
std::string wait_for_text(const std::filesystem::path& file, const std::string& what,
                          std::size_t times, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string text;
  while (std::chrono::steady_clock::now() < deadline) {
    text = std::filesystem::exists(file) ? read_text_file(file) : "";
    if (count_occurrences(text, what) >= times) break;
    std::this_thread::sleep_for(100ms);
  }
  return text;
}

/// The value of the sample line starting with `series` ("name{labels}"), or -1 when absent.
long long sample_value(const std::string& body, const std::string& series) {
  const std::regex line(
      "^" + std::regex_replace(series, std::regex(R"([\[\]{}()*+?.\\^$|])"), R"(\$&)") +
          " (-?[0-9]+)$",
      std::regex::multiline);
  std::smatch match;
  if (!std::regex_search(body, match, line)) return -1;
  return std::stoll(match[1]);
}

long long unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

ChildProcess start_run(const TempDir& dir, const std::filesystem::path& config,
                       const std::vector<std::string>& extra) {
  std::vector<std::string> argv{ACMECPP_ACMECTL_PATH, "run", "--config", config.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return ChildProcess(argv, {}, dir / "run.log");
}

void stop_run(ChildProcess& run) {
  run.kill(SIGTERM);
  const auto status = run.wait(20s);
  REQUIRE(status.has_value());
  CHECK(status->exit_code == 0);
}

}  // namespace

TEST_CASE("acmectl run --metrics-listen serves Prometheus text that promtool accepts") {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  PebbleEnv pebble(options);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  store_due_certificate(store, "due.metrics.test");
  const auto config = dir / "acmectl.yaml";
  write_text_file(config, config_text(pebble, store, pebble.http_port(),
                                      {"new.metrics.test", "due.metrics.test"}));
  const auto port = free_tcp_port();

  auto run = start_run(
      dir, config, {"--interval", "3600", "--metrics-listen", "127.0.0.1:" + std::to_string(port)});
  const std::string log = wait_for_text(dir / "run.log", "check done", 1, 90s);
  INFO("acmectl run said:\n" << log);
  REQUIRE(count_occurrences(log, "check done") == 1);

  httplib::Client client("127.0.0.1", port);
  const auto response = client.Get("/metrics");
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  const std::string body = response->body;
  INFO("metrics:\n" << body);

  const auto stored = AcmeJsonStore(store).certificates("letsencrypt");
  REQUIRE(stored.size() == 2);
  for (const auto& certificate : stored) {
    const auto not_after = parse_certificate(certificate.certificate_pem).not_after;
    CHECK(sample_value(body,
                       "acmecpp_certificate_not_after_timestamp_seconds{resolver="
                       "\"letsencrypt\",name=\"" +
                           certificate.main + "\"}") == unix_seconds(not_after));
  }
  CHECK(sample_value(body, "acmecpp_issuances_total{result=\"success\"}") == 1);
  CHECK(sample_value(body, "acmecpp_renewals_total{result=\"success\"}") == 1);
  CHECK(sample_value(body, "acmecpp_renewals_total{result=\"failure\"}") == 0);
  CHECK(sample_value(body, "acmecpp_acme_requests_total{result=\"2xx\"}") > 0);
  const auto last_check = sample_value(body, "acmecpp_last_check_timestamp_seconds");
  CHECK(std::abs(last_check - unix_seconds(std::chrono::system_clock::now())) < 120);

  ProcessOptions promtool;
  promtool.stdin_data = body;
  const auto check = run_process({"promtool", "check", "metrics"}, promtool);
  INFO("promtool said:\n" << check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out.empty());
  CHECK(check.err.empty());  // lint problems are printed here, even when the exit code is 0

  CHECK(client.Get("/other")->status == 404);
  stop_run(run);
}

TEST_CASE("acmectl run refuses a metrics address it cannot parse or bind, before any order") {
  TempDir dir;
  const auto config = dir / "acmectl.yaml";
  // Nothing listens at this server: the daemon must fail before it sends anything.
  write_text_file(config, "store: " + (dir / "acme.json").string() +
                              "\nserver: https://127.0.0.1:" + std::to_string(free_tcp_port()) +
                              "/dir\ncertificates:\n  - names: [a.metrics.test]\n");
  const std::vector<std::string> run{ACMECPP_ACMECTL_PATH, "run", "--config", config.string()};

  auto with = [&](const std::string& address) {
    auto argv = run;
    argv.insert(argv.end(), {"--metrics-listen", address});
    return run_process(argv);
  };
  const auto unparsable = with("localhost");
  CHECK(unparsable.exit_code == 4);
  CHECK(unparsable.err.find("--metrics-listen \"localhost\"") != std::string::npos);
  CHECK(with("127.0.0.1:99999").exit_code == 4);

  const acmecpp::test::LoopbackListener holder;  // a listening socket keeps the port taken
  const int taken = holder.port();
  const auto in_use = with("127.0.0.1:" + std::to_string(taken));
  INFO(describe(in_use));
  CHECK(in_use.exit_code == 4);
  CHECK(in_use.err.find("cannot serve metrics on 127.0.0.1 port " + std::to_string(taken)) !=
        std::string::npos);
  CHECK(in_use.err.find("check done") == std::string::npos);
}

TEST_CASE(
    "acmectl run backs off from a name whose challenge fails instead of ordering at "
    "every check") {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  // Orders are counted: a rejected nonce would make one newOrder show up twice in Pebble's log.
  options.nonce_reject_percent = 0;
  PebbleEnv pebble(options);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto config = dir / "acmectl.yaml";
  // acmectl answers HTTP-01 on a port Pebble does not connect to: every validation fails.
  write_text_file(config, config_text(pebble, store, free_tcp_port(), {"fail.metrics.test"}));
  const auto metrics_port = free_tcp_port();

  auto run = start_run(
      dir, config,
      {"--interval", "1", "--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)});
  // The first check fails; then at least three more checks, one per second, must skip the name.
  const std::string log = wait_for_text(dir / "run.log", "check done", 4, 60s);
  INFO("acmectl run said:\n" << log);
  INFO("pebble said:\n" << pebble.pebble_log());
  REQUIRE(count_occurrences(log, "check done") >= 4);
  CHECK(count_occurrences(log, "obtaining fail.metrics.test failed:") == 1);
  CHECK(count_occurrences(log, "next attempt in 60 s") == 1);
  CHECK(count_occurrences(log, "obtaining fail.metrics.test failed before; next attempt in") >= 3);
  CHECK(pebble.new_order_requests() == 1);

  httplib::Client client("127.0.0.1", metrics_port);
  const auto response = client.Get("/metrics");
  REQUIRE(response);
  CHECK(sample_value(response->body, "acmecpp_issuances_total{result=\"failure\"}") == 1);
  CHECK(sample_value(response->body, "acmecpp_issuances_total{result=\"success\"}") == 0);

  // SIGHUP is the operator's "fixed it, try now": the name is ordered again at once.
  run.kill(SIGHUP);
  const std::string after_reload =
      wait_for_text(dir / "run.log", "obtaining fail.metrics.test failed:", 2, 60s);
  INFO("after SIGHUP:\n" << after_reload);
  CHECK(count_occurrences(after_reload, "obtaining fail.metrics.test failed:") == 2);
  CHECK(count_occurrences(after_reload, "next attempt in 60 s") ==
        2);  // the schedule starts afresh
  CHECK(pebble.new_order_requests() == 2);
  stop_run(run);
}
