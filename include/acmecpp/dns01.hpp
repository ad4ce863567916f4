#pragma once
/// @file
/// DNS-01 (RFC 8555 section 8.4): a TXT record "_acme-challenge.<name>" holding
/// base64url(SHA-256(key authorization)), published through a DnsProvider, checked on the zone's
/// authoritative servers before the CA is told to look.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/solver.hpp"

namespace acmecpp {

/// The TXT value for a key authorization: base64url(SHA-256(key_authorization)), no padding.
std::string dns01_txt_value(const std::string& key_authorization);

/// The record name for an identifier: "_acme-challenge.<name>." (absolute, with the trailing
/// dot; for a wildcard order pass the name without "*.").
std::string dns01_record_name(const std::string& identifier);

/// Publishes and withdraws TXT records at a DNS host. Implementations must allow several values
/// at one name (a wildcard and its apex in one order publish two) and remove only the value
/// they are asked to remove.
class DnsProvider {
 public:
  virtual ~DnsProvider() = default;
  /// Short name, e.g. "rfc2136", for messages.
  virtual std::string name() const = 0;
  /// Adds TXT `value` at `fqdn` (absolute, with trailing dot). Throws ChallengeError.
  virtual void present(const std::string& fqdn, const std::string& value) = 0;
  /// Removes TXT `value` at `fqdn`. Throws ChallengeError (the solver logs and goes on).
  virtual void cleanup(const std::string& fqdn, const std::string& value) = 0;
  /// How long the propagation check may wait for this provider's records, if it knows better
  /// than the solver's default (some hosts take minutes).
  virtual std::optional<std::chrono::seconds> propagation_timeout() const { return std::nullopt; }
  /// How often to look, if the provider knows better than the solver's default.
  virtual std::optional<std::chrono::milliseconds> polling_interval() const { return std::nullopt; }
};

/// How the DNS-01 solver checks that a record is visible before answering the challenge.
struct Dns01PropagationOptions {
  /// Skip the check entirely (answer the challenge right after present()).
  bool skip = false;
  /// Recursive resolvers used to find the zone (SOA walk), its NS set and their addresses, as
  /// "host" or "host:port". Empty: the system's resolvers from /etc/resolv.conf.
  std::vector<std::string> resolvers;
  /// When set, the check asks exactly these servers ("host:port") instead of the zone's NS set
  /// (tests, split-horizon setups where the NS names do not resolve from here).
  std::vector<std::string> authoritative_override;
  std::chrono::seconds timeout{std::chrono::seconds(120)};
  std::chrono::milliseconds interval{std::chrono::milliseconds(500)};
  /// Follow a CNAME at _acme-challenge.<name> (delegation of the challenge to another zone):
  /// the provider is then asked to publish at the CNAME's target.
  bool follow_cname = true;
};

/// A Solver for "dns-01" that publishes through a DnsProvider and checks propagation.
class Dns01Solver : public Solver {
 public:
  Dns01Solver(std::shared_ptr<DnsProvider> provider, Dns01PropagationOptions options = {});
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
