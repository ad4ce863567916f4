// SPDX-License-Identifier: Apache-2.0
#pragma once
// The DNS-01 propagation check: ask every authoritative server directly (no recursion, so no
// cache in between) for the TXT record until each one answers the expected value.

#include <chrono>
#include <string>
#include <vector>

#include "acmecpp/dns01.hpp"
#include "acmecpp/log.hpp"
#include "acmecpp/stop_token.hpp"
#include "challenge/dns01/resolver_set.hpp"
#include "challenge/dns01/server_address.hpp"

namespace acmecpp::dns01 {

/// One address the check asks.
struct CheckedServer {
  std::string label;  ///< for messages: "ns1.example.com. (192.0.2.53:53)" or "192.0.2.53:53"
  ServerAddress address;
  bool require_authoritative = true;  ///< the answer must carry the AA flag
  /// The server this address belongs to (its NS name, or the override as given). A server with
  /// several addresses (IPv4 and IPv6) counts as serving the value when one of them does: a host
  /// without an IPv6 route must not wait forever on the AAAA addresses.
  std::string server;
};

/// The servers of `options.authoritative_override`, as given (answers need no AA flag). Throws
/// Error(config) for an address that does not parse.
std::vector<CheckedServer> override_servers(const Dns01PropagationOptions& options);

/// The NS set of the zone of `fqdn`, found by SOA walk through `resolvers`, on
/// `options.authoritative_port` (53 unless set); `zone_out` receives the zone. Throws
/// ChallengeError naming the record when discovery fails.
std::vector<CheckedServer> discovered_servers(const std::string& fqdn,
                                              const Dns01PropagationOptions& options,
                                              const ResolverSet& resolvers, std::string& zone_out);

/// How long to keep looking and how often.
struct PropagationPace {
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds interval{0};
  /// How often a wait that goes on says so (info: the record, the servers still without it,
  /// the time waited of the timeout), so that a long wait is never silent.
  std::chrono::milliseconds report_every{std::chrono::seconds(10)};
};

/// Returns once every server (see CheckedServer::server) answers `value` among the TXT values at
/// `fqdn` (other values may be there too). Looks at least once. Throws ChallengeError naming the
/// record, the value, and what each server answered last, when the timeout passes first;
/// Error(cancelled) when stop is requested (between looks at once; a query under way, at most
/// 2 s, is finished first). While it waits, `log` is told every `pace.report_every`.
void wait_until_txt_visible(const std::string& fqdn, const std::string& value,
                            const std::vector<CheckedServer>& servers, PropagationPace pace,
                            const LogSink& log, const StopToken& stop = {});

}  // namespace acmecpp::dns01
