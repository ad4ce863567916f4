#pragma once
/// @file
/// The DnsProvider implementations acmecpp ships, each made by a factory function.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "acmecpp/dns01.hpp"

namespace acmecpp {

/// RFC 2136 dynamic UPDATE signed with TSIG (RFC 8945), as BIND, Knot, PowerDNS and others accept
/// it. Each present() adds exactly one TXT record and each cleanup() deletes exactly that record
/// (not the whole set), so several values can coexist at one name.
struct Rfc2136Options {
  /// The primary server taking updates: an IP address with an optional port ("192.0.2.53",
  /// "192.0.2.53:5353", "[2001:db8::53]:53") or a host name (resolved by the system); port 53
  /// unless given.
  std::string nameserver;
  /// TSIG key name as configured on the server, e.g. "acme-key". Empty together with
  /// `tsig_secret`: updates are sent unsigned (servers that allow updates by address).
  std::string tsig_key_name;
  /// "hmac-sha256" (default), "hmac-sha512" or "hmac-sha1" (ldns 1.8 cannot sign hmac-sha384).
  std::string tsig_algorithm = "hmac-sha256";
  /// The key's secret, base64 as in BIND's key statement. Never appears in messages.
  std::string tsig_secret;
  /// TTL of the records added.
  std::chrono::seconds ttl{60};
  /// The zone to update, e.g. "example.com". Unset: found by asking `nameserver` for the SOA of
  /// the record's name (the zone whose SOA comes back in the answer or authority section).
  std::optional<std::string> zone;
  /// How long to wait for the nameserver's answer to each datagram; a UDP query is sent twice
  /// before giving up, and a truncated answer is asked again over TCP.
  std::chrono::seconds timeout{10};
};

/// Throws Error(config) when the nameserver does not parse, the algorithm is not supported, the
/// secret is not base64, or only one of key name and secret is given. Errors of present() and
/// cleanup() are ChallengeErrors naming the zone, the record and the server's rcode (and TSIG
/// error), never the secret.
std::shared_ptr<DnsProvider> make_rfc2136_provider(Rfc2136Options options);

// Other providers:
}  // namespace acmecpp
