// SPDX-License-Identifier: Apache-2.0
#pragma once
// One RFC 2136 dynamic UPDATE of a TXT record, optionally signed with TSIG, built and sent with
// ldns; and finding the zone a name belongs to by asking the primary for its SOA.

#include <chrono>
#include <optional>
#include <string>

#include "challenge/dns01/dns_query.hpp"
#include "challenge/dns01/server_address.hpp"

namespace acmecpp::dns01 {

/// A TSIG key (RFC 8945) as ldns wants it.
struct TsigKey {
  std::string name;       ///< e.g. "acme-key."
  std::string algorithm;  ///< ldns's name, e.g. "hmac-sha256."
  std::string secret;     ///< base64
};

/// ldns's name for a TSIG algorithm given as "hmac-sha256" (case-insensitive, optional trailing
/// dot). Throws Error(config) for anything ldns 1.8 cannot sign with.
std::string tsig_algorithm_name(const std::string& algorithm);

/// One record to add or delete. Deleting names the exact record (class NONE, RFC 2136 section
/// 2.5.4), so other values at the same name stay.
struct TxtChange {
  enum class Action { add, remove } action;
  std::string fqdn;
  std::string value;
  std::chrono::seconds ttl{60};  ///< used when adding
};

/// Sends the UPDATE of `zone` to `server` (UDP, TCP when the answer is truncated). Throws
/// ChallengeError naming the server, zone, record and the rcode (and TSIG error) on refusal, or
/// what went wrong when no answer came. Never mentions the secret.
void send_txt_update(const ServerAddress& server, const std::string& zone, const TxtChange& change,
                     const std::optional<TsigKey>& key, QueryTiming timing);

/// The zone `fqdn` belongs to according to `server`: the owner of the SOA in its answer, or in
/// its authority section (what an authoritative server sends for a name inside its zone).
/// Throws ChallengeError naming the server and its rcode when there is none.
std::string zone_at_server(const ServerAddress& server, const std::string& fqdn,
                           QueryTiming timing);

}  // namespace acmecpp::dns01
