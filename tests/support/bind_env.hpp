// SPDX-License-Identifier: Apache-2.0
#pragma once
// A private BIND (named) for one test: authoritative for a few test zones on 127.0.0.1 and a
// free port, accepting RFC 2136 updates signed with a freshly generated TSIG key.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace acmecpp::testing {

/// One zone. Every zone gets a SOA, "NS ns1.<zone>." and "ns1 A 127.0.0.1"; `records` are added
/// as zone-file lines (names relative to the zone unless they end in a dot).
struct BindZone {
  std::string name;
  std::vector<std::string> records;
};

struct BindOptions {
  /// The first zone is the one zone() names.
  std::vector<BindZone> zones{{"example.test", {}}, {"acme-delegate.test", {}}};
  std::string key_name = "acme-key";
  /// As BIND spells it: "hmac-sha256", "hmac-sha512", "hmac-sha1", ...
  std::string key_algorithm = "hmac-sha256";
};

/// Not copyable or movable: named belongs to this object until it is destroyed.
class BindEnv {
 public:
  /// Writes the configuration into a TempDir, starts `named -g` (as the current user: root in
  /// the test containers, so no -u) and returns once every zone answers its SOA. A port taken in
  /// the meantime makes it retry with a new one. Throws acmecpp::Error(config) with named's log
  /// when it does not come up.
  explicit BindEnv(BindOptions options = {});
  /// Stops named (SIGTERM, SIGKILL after 10 s) and removes the directory.
  ~BindEnv();
  BindEnv(const BindEnv&) = delete;
  BindEnv& operator=(const BindEnv&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// "127.0.0.1:<port>", as a resolver or rfc2136 nameserver setting.
  std::string address() const;
  /// The first zone, without trailing dot, e.g. "example.test".
  const std::string& zone() const noexcept { return options_.zones.front().name; }
  const std::string& key_name() const noexcept { return options_.key_name; }
  const std::string& key_secret() const noexcept { return key_secret_; }
  const std::string& key_algorithm() const noexcept { return options_.key_algorithm; }

  /// The TXT values at `name` as `dig @127.0.0.1 -p <port> TXT <name>` shows them (each record's
  /// strings joined, quotes removed), sorted. Independent of acmecpp's own DNS code.
  std::vector<std::string> txt(const std::string& name) const;
  /// named's output so far, for failure messages.
  std::string log() const;
  pid_t pid() const noexcept { return named_ ? named_->pid() : -1; }

  /// Stops named now; idempotent.
  void stop() noexcept;

 private:
  bool try_start(std::string& failure);
  void write_files() const;
  bool answers_soa(const std::string& zone) const;

  TempDir dir_{"acmecpp-bind"};
  BindOptions options_;
  std::string key_secret_;
  std::uint16_t port_ = 0;
  std::optional<ChildProcess> named_;
  std::optional<ChildProcess> watchdog_;
};

/// A random base64 secret of 32 bytes (as tsig-keygen makes for hmac-sha256).
std::string random_tsig_secret();

}  // namespace acmecpp::testing
