// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// DNS-01 (RFC 8555 section 8.4): a TXT record "_acme-challenge.NAME" holding
/// base64url(SHA-256(key authorization)), published through a DnsProvider, checked on the zone's
/// authoritative servers before the CA is told to look.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/api.hpp"
#include "acmecpp/log.hpp"
#include "acmecpp/solver.hpp"

namespace acmecpp {

/// The TXT value for a key authorization: base64url(SHA-256(key_authorization)), no padding.
ACMECPP_API std::string dns01_txt_value(const std::string& key_authorization);

/// The record name for an identifier: "_acme-challenge.NAME." (absolute, with the trailing
/// dot; for a wildcard order pass the name without "*."; a leading "*." and a trailing dot are
/// tolerated and dropped). Throws Error(invalid_input) for an empty name.
ACMECPP_API std::string dns01_record_name(const std::string& identifier);

/// Publishes and withdraws TXT records at a DNS host. Implementations must allow several values
/// at one name (a wildcard and its apex in one order publish two) and remove only the value
/// they are asked to remove.
class ACMECPP_API DnsProvider {
 public:
  virtual ~DnsProvider() = default;
  /// Short name, e.g. "rfc2136", for messages.
  virtual std::string name() const = 0;
  /// Adds TXT `value` at `fqdn` (absolute, with trailing dot). Throws ChallengeError.
  virtual void present(const std::string& fqdn, const std::string& value) = 0;
  /// Removes TXT `value` at `fqdn`. Throws ChallengeError (the solver logs and goes on).
  virtual void cleanup(const std::string& fqdn, const std::string& value) = 0;
  /// How long the propagation check may wait for this provider's records, if it knows better
  /// than the solver's default (some hosts take minutes). When set it replaces
  /// Dns01PropagationOptions::timeout.
  virtual std::optional<std::chrono::seconds> propagation_timeout() const { return std::nullopt; }
  /// How often to look, if the provider knows better than the solver's default. When set it
  /// replaces Dns01PropagationOptions::interval.
  virtual std::optional<std::chrono::milliseconds> polling_interval() const { return std::nullopt; }
};

/// How the DNS-01 solver checks that a record is visible before answering the challenge.
struct ACMECPP_API Dns01PropagationOptions {
  /// Skip the check entirely (answer the challenge right after present()).
  bool skip = false;
  /// Recursive resolvers used to find the zone (SOA walk), its NS set and their addresses, and
  /// to follow a CNAME at the record, as IP addresses: "192.0.2.1", "192.0.2.1:5353", "::1" or
  /// "[::1]:5353" (port 53 unless given). They are tried in order until one answers. Empty: the
  /// system's resolvers from /etc/resolv.conf.
  std::vector<std::string> resolvers;
  /// When set, the check asks exactly these servers ("host:port", same forms as `resolvers`)
  /// instead of the zone's NS set (tests, split-horizon setups where the NS names do not resolve
  /// from here). They are asked without recursion, like the NS set, but their answers need not
  /// carry the AA flag.
  std::vector<std::string> authoritative_override;
  /// The port the zone's NS set is asked on: 53 unless set. Tests whose authoritative server
  /// listens on a free loopback port (its NS name still resolving to 127.0.0.1) set it; the zone
  /// and NS discovery through `resolvers` is unchanged.
  std::optional<std::uint16_t> authoritative_port;
  std::chrono::seconds timeout{std::chrono::seconds(120)};
  std::chrono::milliseconds interval{std::chrono::milliseconds(500)};
  /// Follow a CNAME at _acme-challenge.NAME (delegation of the challenge to another zone):
  /// the provider is then asked to publish at the CNAME's target.
  bool follow_cname = true;
};

/// A Solver for "dns-01" that publishes through a DnsProvider and checks propagation.
/// present() resolves a CNAME at the record (when follow_cname) and asks the provider to publish
/// at the effective name, which it remembers for wait_until_visible() and cleanup().
/// wait_until_visible() returns once every authoritative server of the effective name's zone
/// answers the TXT value (other values may coexist; an NS name with several addresses needs one
/// of them to); on timeout its ChallengeError names the record, the servers and what each
/// answered; when stop is requested on the task's token (ChallengeTask::stop) it ends with
/// Error(cancelled) at once (a DNS query under way, at most 2 s, is finished first). The
/// resolvers come from /etc/resolv.conf at construction when `resolvers` is empty and something
/// needs them (follow_cname, or a check without authoritative_override). cleanup() never throws:
/// a provider's failure is reported to `log` as a warning (and dropped when no sink is given).
/// Thread-safe.
class ACMECPP_API Dns01Solver : public Solver {
 public:
  /// Throws Error(config) when `provider` is null or an address in `options` does not parse.
  Dns01Solver(std::shared_ptr<DnsProvider> provider, Dns01PropagationOptions options = {},
              LogSink log = null_log_sink());
  ~Dns01Solver() override;
  std::string type() const override { return "dns-01"; }
  void present(const ChallengeTask& task) override;
  void wait_until_visible(const ChallengeTask& task) override;
  void cleanup(const ChallengeTask& task) noexcept override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace acmecpp
