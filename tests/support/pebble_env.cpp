// SPDX-License-Identifier: Apache-2.0
#include "support/pebble_env.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "acmecpp/error.hpp"
#include "support/free_port.hpp"
#include "support/process.hpp"
#include "support/text_count.hpp"

namespace acmecpp::testing {
namespace {

const std::filesystem::path pebble_scripts = std::filesystem::path(ACMECPP_SOURCE_DIR) / "pebble";

// start.sh waits up to 20 s for the servers; this bounds the whole script.
constexpr std::chrono::seconds start_timeout{60};
constexpr std::chrono::seconds stop_timeout{30};

// Six distinct free ports: the kernel may hand out a just-released number again.
PebblePorts pick_ports() {
  std::set<std::uint16_t> taken;
  auto distinct = [&taken](auto pick) {
    std::uint16_t port;
    do {
      port = pick();
    } while (!taken.insert(port).second);
    return port;
  };
  PebblePorts ports;
  ports.dns = distinct(free_tcp_and_udp_port);
  ports.acme = distinct(free_tcp_port);
  ports.management = distinct(free_tcp_port);
  ports.http = distinct(free_tcp_port);
  ports.tls = distinct(free_tcp_port);
  ports.challtestsrv_management = distinct(free_tcp_port);
  return ports;
}

// The environment start.sh reads. Pebble variables the test did not ask for are removed, so a
// developer's shell cannot change what the tests see.
ProcessOptions start_options(const PebbleOptions& options, const PebblePorts& ports) {
  ProcessOptions process;
  process.timeout = start_timeout;
  process.unset_env = {"PEBBLE_EAB_KEYS",
                       "PEBBLE_VALIDITY_SECONDS",
                       "PEBBLE_CHAIN_LENGTH",
                       "PEBBLE_ALTERNATE_ROOTS",
                       "PEBBLE_VA_ALWAYS_VALID",
                       "PEBBLE_VA_SLEEPTIME",
                       "PEBBLE_WFE_ORDERS_PER_PAGE",
                       "PEBBLE_DNS_SERVER"};
  auto& env = process.env;
  env["PEBBLE_LISTEN_PORT"] = std::to_string(ports.acme);
  env["PEBBLE_MGMT_PORT"] = std::to_string(ports.management);
  env["PEBBLE_HTTP_PORT"] = std::to_string(ports.http);
  env["PEBBLE_TLS_PORT"] = std::to_string(ports.tls);
  env["CHALLTESTSRV_DNS_PORT"] = std::to_string(ports.dns);
  env["CHALLTESTSRV_MGMT_PORT"] = std::to_string(ports.challtestsrv_management);
  env["PEBBLE_VA_NOSLEEP"] = "1";
  env["PEBBLE_WFE_NONCEREJECT"] = std::to_string(options.nonce_reject_percent);
  env["PEBBLE_AUTHZREUSE"] = std::to_string(options.authz_reuse_percent);
  // Should the test process die without running destructors, the servers follow it.
  env["PEBBLE_WATCH_PID"] = std::to_string(::getpid());
  if (!options.eab_keys.empty()) env["PEBBLE_EAB_KEYS"] = nlohmann::json(options.eab_keys).dump();
  if (options.dns_server) env["PEBBLE_DNS_SERVER"] = *options.dns_server;
  if (options.validity_seconds) {
    env["PEBBLE_VALIDITY_SECONDS"] = std::to_string(*options.validity_seconds);
  }
  for (const auto& [name, value] : options.extra_env) env[name] = value;
  return process;
}

pid_t read_pid(const std::filesystem::path& file) {
  return static_cast<pid_t>(std::stol(read_text_file(file)));
}

std::string trim_trailing_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

PebbleEnv::PebbleEnv(PebbleOptions options) : state_dir_(temp_dir_.path() / "state") {
  std::string failure;
  if (try_start(options, failure)) return;
  // Another test may have bound one of our ports between the check and Pebble's bind.
  if (failure.find("address already in use") != std::string::npos) {
    if (try_start(options, failure)) return;
  }
  throw Error(ErrorKind::config, "Pebble did not start:\n" + failure);
}

PebbleEnv::~PebbleEnv() {
  stop();
}

bool PebbleEnv::try_start(const PebbleOptions& options, std::string& failure) {
  ports_ = pick_ports();
  const ProcessResult result =
      run_process({(pebble_scripts / "start.sh").string(), state_dir_.string()},
                  start_options(options, ports_));
  if (result.exit_code != 0) {
    failure = result.timed_out ? "start.sh timed out\n" + result.err : result.err;
    return false;
  }
  directory_url_ = trim_trailing_newlines(result.out);
  pebble_pid_ = read_pid(state_dir_ / "pebble.pid");
  challtestsrv_pid_ = read_pid(state_dir_ / "challtestsrv.pid");
  running_ = true;
  return true;
}

void PebbleEnv::stop() noexcept {
  if (!running_) return;
  running_ = false;
  try {
    ProcessOptions options;
    options.timeout = stop_timeout;
    run_process({(pebble_scripts / "stop.sh").string(), state_dir_.string()}, options);
  } catch (...) {
    // A destructor cannot report; the watchdog of start.sh still stops the servers at exit.
  }
}

std::filesystem::path PebbleEnv::ca_bundle() const {
  return state_dir_ / "certs" / "ca.pem";
}

std::string PebbleEnv::management_url() const {
  return "https://127.0.0.1:" + std::to_string(ports_.management);
}

std::string PebbleEnv::challtestsrv_management_url() const {
  return "http://127.0.0.1:" + std::to_string(ports_.challtestsrv_management);
}

std::string PebbleEnv::root_pem() const {
  return read_text_file(state_dir_ / "root.pem");
}

std::string PebbleEnv::pebble_log() const {
  return read_text_file(state_dir_ / "pebble.log");
}

std::size_t PebbleEnv::new_order_requests() const {
  return count_occurrences(pebble_log(), "POST /order-plz");
}

std::string PebbleEnv::challtestsrv_log() const {
  return read_text_file(state_dir_ / "challtestsrv.log");
}

}  // namespace acmecpp::testing
