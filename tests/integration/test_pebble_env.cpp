// SPDX-License-Identifier: Apache-2.0
// Smoke tests of the Pebble fixture every integration test stands on.

#include <doctest/doctest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/unique_fd.hpp"
#include "support/challtestsrv.hpp"
#include "support/free_port.hpp"
#include "support/pebble_env.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp::testing;
using acmecpp::core::UniqueFd;
using namespace std::chrono_literals;

namespace {

// GET over HTTPS trusting only `ca_file`; an empty result means the request failed.
httplib::Result https_get(std::uint16_t port, const std::string& path,
                          const std::filesystem::path& ca_file) {
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(ca_file.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(5);
  return client.Get(path.c_str());
}

nlohmann::json get_directory(const PebbleEnv& pebble) {
  const auto response = https_get(pebble.ports().acme, "/dir", pebble.ca_bundle());
  REQUIRE_MESSAGE(response,
                  "GET " << pebble.directory_url() << ": " << httplib::to_string(response.error()));
  REQUIRE(response->status == 200);
  return nlohmann::json::parse(response->body);
}

bool all_gone(pid_t first, pid_t second) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (process_alive(first) || process_alive(second)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// A TXT query for `name` sent straight to challtestsrv's UDP port; the raw reply.
std::string query_txt(std::uint16_t dns_port, const std::string& name) {
  std::string query("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  std::size_t start = 0;
  while (start < name.size()) {
    const std::size_t dot = name.find('.', start);
    const std::size_t end = dot == std::string::npos ? name.size() : dot;
    query += static_cast<char>(end - start);
    query += name.substr(start, end - start);
    start = end + 1;
  }
  query += std::string("\x00\x00\x10\x00\x01", 5);  // root label, type TXT, class IN

  const UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  timeval timeout{2, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server.sin_port = htons(dns_port);
  ::sendto(fd.get(), query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&server),
           sizeof server);
  char reply[1500];
  const ssize_t n = ::recv(fd.get(), reply, sizeof reply, 0);
  return n > 0 ? std::string(reply, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

TEST_CASE("PebbleEnv serves an ACME directory over HTTPS trusted through ca_bundle()") {
  PebbleEnv pebble;
  CHECK(pebble.directory_url() ==
        "https://127.0.0.1:" + std::to_string(pebble.ports().acme) + "/dir");
  const nlohmann::json directory = get_directory(pebble);
  CHECK(directory.contains("newNonce"));
  CHECK(directory.contains("newAccount"));
  CHECK(directory.contains("newOrder"));
  CHECK(directory["meta"]["externalAccountRequired"] == false);
  CHECK(pebble.root_pem().rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(pebble.pebble_log().find("ACME directory available") != std::string::npos);

  // The root comes from this very Pebble's management API.
  const auto root = https_get(pebble.ports().management, "/roots/0", pebble.ca_bundle());
  REQUIRE(root);
  CHECK(root->body == pebble.root_pem());
}

TEST_CASE("Pebble's HTTPS certificate is not trusted without the fixture's CA") {
  PebbleEnv pebble;
  TempDir dir;
  const ProcessResult make_cert =
      run_process({std::string(ACMECPP_SOURCE_DIR) + "/pebble/make-cert.sh", dir.path()});
  REQUIRE(make_cert.exit_code == 0);
  CHECK_FALSE(https_get(pebble.ports().acme, "/dir", dir / "ca.pem"));
}

TEST_CASE("PebbleEnv stops both servers when destroyed") {
  pid_t pebble_pid = -1;
  pid_t challtestsrv_pid = -1;
  std::filesystem::path state_dir;
  {
    PebbleEnv pebble;
    pebble_pid = pebble.pebble_pid();
    challtestsrv_pid = pebble.challtestsrv_pid();
    state_dir = pebble.state_dir();
    CHECK(process_alive(pebble_pid));
    CHECK(process_alive(challtestsrv_pid));
  }
  CHECK(all_gone(pebble_pid, challtestsrv_pid));
  CHECK_FALSE(std::filesystem::exists(state_dir));
}

TEST_CASE("two PebbleEnv at once get different ports and both work") {
  PebbleEnv first;
  PebbleEnv second;
  const std::set<std::uint16_t> ports_of_first = {
      first.ports().acme, first.ports().management, first.ports().http,
      first.ports().tls,  first.ports().dns,        first.ports().challtestsrv_management};
  CHECK(ports_of_first.size() == 6);
  for (std::uint16_t port :
       {second.ports().acme, second.ports().management, second.ports().http, second.ports().tls,
        second.ports().dns, second.ports().challtestsrv_management}) {
    CHECK(ports_of_first.count(port) == 0);
  }
  CHECK(get_directory(first).contains("newOrder"));
  CHECK(get_directory(second).contains("newOrder"));
  CHECK(first.root_pem() != second.root_pem());
}

TEST_CASE("PebbleOptions reach Pebble") {
  PebbleOptions options;
  options.eab_keys["kid-1"] = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
  options.nonce_reject_percent = 0;
  options.authz_reuse_percent = 0;
  options.validity_seconds = 3600;
  PebbleEnv pebble(options);
  CHECK(get_directory(pebble)["meta"]["externalAccountRequired"] == true);
  const std::string log = pebble.pebble_log();
  CHECK(log.find("Using certificate validity period of 3600 seconds") != std::string::npos);
  CHECK(log.find("reject 0% of good nonces") != std::string::npos);
  CHECK(log.find("authz reuse for each identifier 0% of the time") != std::string::npos);
}

TEST_CASE("ChallTestSrv sets and clears TXT records that the DNS server then answers") {
  PebbleEnv pebble;
  const ChallTestSrv dns(pebble.challtestsrv_management_url());
  const std::string name = "_acme-challenge.smoke.example.test";
  const std::string value = "token-value-for-smoke-test";
  dns.set_txt(name, value);
  CHECK(query_txt(pebble.dns_port(), name).find(value) != std::string::npos);
  dns.clear_txt(name);
  const std::string reply = query_txt(pebble.dns_port(), name);
  CHECK_FALSE(reply.empty());
  CHECK(reply.find(value) == std::string::npos);
}

TEST_CASE("start.sh fails cleanly when its ACME port is taken") {
  const UniqueFd holder(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(holder.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(holder.get(), 1) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(holder.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0);

  TempDir dir;
  ProcessOptions options;
  options.timeout = 60s;
  options.env = {{"PEBBLE_LISTEN_PORT", std::to_string(ntohs(address.sin_port))},
                 {"PEBBLE_MGMT_PORT", std::to_string(free_tcp_port())},
                 {"CHALLTESTSRV_DNS_PORT", std::to_string(free_tcp_and_udp_port())},
                 {"CHALLTESTSRV_MGMT_PORT", std::to_string(free_tcp_port())}};
  const ProcessResult result = run_process(
      {std::string(ACMECPP_SOURCE_DIR) + "/pebble/start.sh", (dir / "state").string()}, options);
  CHECK(result.exit_code != 0);
  CHECK(result.out.empty());
  CHECK(result.err.find("address already in use") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "state" / "pebble.pid"));
  CHECK_FALSE(std::filesystem::exists(dir / "state" / "challtestsrv.pid"));
}
