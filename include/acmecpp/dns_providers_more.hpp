#pragma once
/// @file
/// DnsProvider implementations that publish through something other than DNS itself: an external
/// program (lego's "exec" contract), pebble-challtestsrv's management API (tests, demos) and the
/// Cloudflare API v4. Every one is thread-safe. Reading settings from the environment is the
/// caller's business (acmectl maps lego's variable names onto these options).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "acmecpp/dns01.hpp"

namespace acmecpp {

/// An external program that publishes and withdraws the records, called as lego calls it:
///   PROGRAM present _acme-challenge.example.com. VALUE
///   PROGRAM cleanup _acme-challenge.example.com. VALUE
/// (argv only, no shell). Exit status 0 means done. Key authorizations are never passed, so
/// lego's EXEC_MODE=RAW has no equivalent.
struct ExecProviderOptions {
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
/// is killed by a signal, times out, or its exit status is lost (SIGCHLD ignored by the caller).
std::shared_ptr<DnsProvider> make_exec_provider(ExecProviderOptions options);

/// pebble-challtestsrv's management API ("http://127.0.0.1:8055"): POST /set-txt adds a value,
/// POST /clear-txt removes every value at a host. To remove only one value, the provider keeps the
/// values it presented per name, and on cleanup clears the name and adds the others back (for an
/// instant they are absent; fine for a test server). A value it did not present itself is
/// removed as well, together with any other value it did not present at that name.
/// Throws Error(config) for an empty URL; present() and cleanup() throw ChallengeError when the
/// server cannot be reached or answers other than 200.
std::shared_ptr<DnsProvider> make_challtestsrv_provider(std::string management_url);

/// Cloudflare API v4 with an API token (the token needs Zone:Read and DNS:Edit).
struct CloudflareOptions {
  /// Sent as "Authorization: Bearer <token>"; never appears in messages.
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
std::shared_ptr<DnsProvider> make_cloudflare_provider(CloudflareOptions options);

}  // namespace acmecpp
