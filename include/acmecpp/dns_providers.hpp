// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The DnsProvider implementations acmecpp ships, each made by a factory function.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "acmecpp/api.hpp"
#include "acmecpp/dns01.hpp"

namespace acmecpp {

/// RFC 2136 dynamic UPDATE signed with TSIG (RFC 8945), as BIND, Knot, PowerDNS and others accept
/// it. Each present() adds exactly one TXT record and each cleanup() deletes exactly that record
/// (not the whole set), so several values can coexist at one name.
struct ACMECPP_API Rfc2136Options {
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
ACMECPP_API std::shared_ptr<DnsProvider> make_rfc2136_provider(Rfc2136Options options);

/// An external program that publishes and withdraws the records, called as lego calls it:
///   PROGRAM present _acme-challenge.example.com. VALUE
///   PROGRAM cleanup _acme-challenge.example.com. VALUE
/// (argv only, no shell). Exit status 0 means done. Key authorizations are never passed, so
/// lego's EXEC_MODE=RAW has no equivalent.
struct ACMECPP_API ExecProviderOptions {
  /// Path of the program, or a name looked up in PATH.
  std::string program;
  /// For one call; when it expires the program's whole process group is killed.
  std::chrono::seconds timeout{60};
  /// Added to the environment the program inherits, replacing variables of the same name.
  std::map<std::string, std::string> env;
  /// Passed on to the propagation check (lego: EXEC_PROPAGATION_TIMEOUT, EXEC_POLLING_INTERVAL).
  std::optional<std::chrono::seconds> propagation_timeout;
  std::optional<std::chrono::milliseconds> polling_interval;
};

/// Throws Error(config) when `program` is empty or `timeout` is not positive. present() and
/// cleanup() throw ChallengeError when the program cannot be started, exits non-zero (the
/// message has the exit code and the end of its stderr, or of its stdout when stderr is empty),
/// is killed by a signal or times out. The exit status is right whatever the embedding program
/// does with SIGCHLD (ignored, handled, default).
ACMECPP_API std::shared_ptr<DnsProvider> make_exec_provider(ExecProviderOptions options);

/// pebble-challtestsrv's management API ("http://127.0.0.1:8055"): POST /set-txt adds a value,
/// POST /clear-txt removes every value at a host. To remove only one value, the provider keeps the
/// values it presented per name, and on cleanup clears the name and adds the others back (for an
/// instant they are absent; fine for a test server). A value it did not present itself is
/// removed as well, together with any other value it did not present at that name.
/// Throws Error(config) for an empty URL; present() and cleanup() throw ChallengeError when the
/// server cannot be reached or answers other than 200.
ACMECPP_API std::shared_ptr<DnsProvider> make_challtestsrv_provider(std::string management_url);

/// Cloudflare API v4 with an API token (the token needs Zone:Read and DNS:Edit).
struct ACMECPP_API CloudflareOptions {
  /// Sent as "Authorization: Bearer TOKEN"; never appears in messages.
  std::string api_token;
  std::string base_url = "https://api.cloudflare.com/client/v4";
  /// PEM file of trusted CAs; empty: the system's store.
  std::string ca_bundle;
  /// TTL of the TXT records (Cloudflare accepts 1 for "automatic", else 60 or 120 and up).
  std::chrono::seconds ttl{120};
  /// The zone to publish in. Unset: found by asking for each suffix of the record name, longest
  /// first (_acme-challenge.a.example.com, a.example.com, example.com); the first active zone wins.
  std::optional<std::string> zone_id;
  /// Passed on to the propagation check (lego: CLOUDFLARE_PROPAGATION_TIMEOUT,
  /// ..._POLLING_INTERVAL).
  std::optional<std::chrono::seconds> propagation_timeout;
  std::optional<std::chrono::milliseconds> polling_interval;
};

/// Throws Error(config) when the token or base URL is empty, the TTL is not positive or the zone
/// id is given but empty.
/// present() creates a TXT record and remembers its id; cleanup() deletes that record, or, for a
/// value this provider did not create, looks it up by name and content and deletes one match (no
/// match: nothing to do). Both throw ChallengeError with Cloudflare's error codes and messages,
/// or the HTTP status when the answer is not Cloudflare's JSON envelope.
ACMECPP_API std::shared_ptr<DnsProvider> make_cloudflare_provider(CloudflareOptions options);

}  // namespace acmecpp
