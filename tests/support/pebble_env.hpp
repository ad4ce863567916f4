// SPDX-License-Identifier: Apache-2.0
#pragma once
// A private Pebble ACME server (with pebble-challtestsrv as its DNS) for one test, on free
// loopback ports, started by pebble/start.sh and stopped by pebble/stop.sh.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "support/temp_dir.hpp"

namespace acmecpp::testing {

struct PebbleOptions {
  /// kid -> base64url MAC key. Not empty: Pebble requires External Account Binding.
  std::map<std::string, std::string> eab_keys;
  /// PEBBLE_WFE_NONCEREJECT: share of valid nonces rejected as badNonce (Pebble's default 5).
  /// Set 0 where a test counts requests.
  int nonce_reject_percent = 5;
  /// PEBBLE_AUTHZREUSE: share of authorizations reused from earlier orders (Pebble's default 50).
  /// Set 0 where a test needs every order to bring fresh pending challenges.
  int authz_reuse_percent = 50;
  /// certificateValidityPeriod in seconds; unset: Pebble's default (about 5 years).
  std::optional<int> validity_seconds;
  /// The DNS server ("host:port") Pebble resolves names with, e.g. a BindEnv's address();
  /// unset: the environment's challtestsrv (PEBBLE_DNS_SERVER of pebble/start.sh).
  std::optional<std::string> dns_server;
  /// More environment for Pebble, e.g. PEBBLE_CHAIN_LENGTH, PEBBLE_ALTERNATE_ROOTS,
  /// PEBBLE_VA_ALWAYS_VALID, or PEBBLE_VA_NOSLEEP=0. Wins over everything above.
  std::map<std::string, std::string> extra_env;
};

/// For tests that count requests or orders in Pebble's log: no authorization reuse (every order
/// validates each name) and no rejected nonces (a badNonce retry would log one request twice).
inline PebbleOptions counting_pebble_options() {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  options.nonce_reject_percent = 0;
  return options;
}

/// The loopback ports of one Pebble environment.
struct PebblePorts {
  std::uint16_t acme = 0;                     ///< Pebble's ACME (HTTPS) listener
  std::uint16_t management = 0;               ///< Pebble's management (HTTPS) listener
  std::uint16_t http = 0;                     ///< where Pebble connects for HTTP-01
  std::uint16_t tls = 0;                      ///< where Pebble connects for TLS-ALPN-01
  std::uint16_t dns = 0;                      ///< challtestsrv's DNS (UDP and TCP)
  std::uint16_t challtestsrv_management = 0;  ///< challtestsrv's management (plain HTTP)
};

/// Not copyable or movable: the servers belong to this object until it is destroyed.
class PebbleEnv {
 public:
  /// Starts both servers and returns when Pebble's directory answers. A port taken by someone
  /// else in the meantime makes it retry once with new ports. Throws acmecpp::Error(config) with
  /// start.sh's output (the servers' log tails) when they do not come up.
  explicit PebbleEnv(PebbleOptions options = {});
  /// Stops both servers (pebble/stop.sh) and removes the state directory.
  ~PebbleEnv();
  PebbleEnv(const PebbleEnv&) = delete;
  PebbleEnv& operator=(const PebbleEnv&) = delete;

  /// e.g. "https://127.0.0.1:40123/dir"
  const std::string& directory_url() const noexcept { return directory_url_; }
  /// PEM file of the CA that signed Pebble's HTTPS certificate (what clients pass as --ca-bundle).
  std::filesystem::path ca_bundle() const;
  const PebblePorts& ports() const noexcept { return ports_; }
  std::uint16_t http_port() const noexcept { return ports_.http; }
  std::uint16_t tls_port() const noexcept { return ports_.tls; }
  std::uint16_t dns_port() const noexcept { return ports_.dns; }
  /// Pebble's management API, e.g. "https://127.0.0.1:40124" (same CA as the directory).
  std::string management_url() const;
  /// e.g. "http://127.0.0.1:40125"
  std::string challtestsrv_management_url() const;
  const std::filesystem::path& state_dir() const noexcept { return state_dir_; }
  /// The root this Pebble run issues under (PEM; new at every start).
  std::string root_pem() const;
  /// Pebble's log so far (one line per request, handy in failure messages).
  std::string pebble_log() const;
  /// newOrder requests Pebble has handled so far ("POST /order-plz" lines of its log).
  std::size_t new_order_requests() const;
  std::string challtestsrv_log() const;
  pid_t pebble_pid() const noexcept { return pebble_pid_; }
  pid_t challtestsrv_pid() const noexcept { return challtestsrv_pid_; }

  /// Stops the servers now; the destructor then has nothing left to do. Idempotent.
  void stop() noexcept;

 private:
  bool try_start(const PebbleOptions& options, std::string& failure);

  TempDir temp_dir_{"acmecpp-pebble"};
  std::filesystem::path state_dir_;
  PebblePorts ports_;
  std::string directory_url_;
  pid_t pebble_pid_ = -1;
  pid_t challtestsrv_pid_ = -1;
  bool running_ = false;
};

}  // namespace acmecpp::testing
