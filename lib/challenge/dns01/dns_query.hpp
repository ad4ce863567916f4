// SPDX-License-Identifier: Apache-2.0
#pragma once
// One DNS query to one server with ldns: UDP, EDNS0 and then TCP when the answer is truncated.

#include <chrono>
#include <string>

#include "challenge/dns01/ldns_ptr.hpp"
#include "challenge/dns01/server_address.hpp"

namespace acmecpp::dns01 {

/// How long to wait for one server.
struct QueryTiming {
  std::chrono::milliseconds timeout{2000};  ///< per attempt
  int attempts = 2;                         ///< UDP sends before giving up on the server
};

/// A resolver object talking to exactly one server (whose host must be an IP address), with no
/// retransmission delay and no randomisation. A fresh one per exchange: ldns marks a server that
/// once failed as unreachable for the resolver's lifetime. Throws Error(config) when the host is
/// not an IP address.
LdnsResolverPtr make_resolver(const ServerAddress& server, QueryTiming timing);

/// The reply of one query, or why there is none.
struct QueryOutcome {
  LdnsPacketPtr reply;
  std::string failure;  ///< set when reply is null, e.g. "no answer (Could not send or receive…)"
};

/// Asks `server` for `name`/`type` (class IN), with the RD flag as given.
QueryOutcome query_server(const ServerAddress& server, const std::string& name, ldns_rr_type type,
                          bool recursion_desired, QueryTiming timing);

/// "TXT", "SOA", ... for messages.
std::string type_name(ldns_rr_type type);

}  // namespace acmecpp::dns01
