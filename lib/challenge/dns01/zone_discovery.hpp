// SPDX-License-Identifier: Apache-2.0
#pragma once
// Finding who is authoritative for a record: the zone by SOA walk, its NS set, their addresses.

#include <cstdint>
#include <string>
#include <vector>

#include "challenge/dns01/resolver_set.hpp"
#include "challenge/dns01/server_address.hpp"

namespace acmecpp::dns01 {

/// The zone `fqdn` lives in: the closest enclosing name (fqdn itself first, then each parent)
/// for which the resolvers answer a SOA record owned by that name. Canonical form. Throws
/// ChallengeError when no enclosing name below the root has one, or the resolvers fail.
std::string find_zone(const ResolverSet& resolvers, const std::string& fqdn);

struct AuthoritativeServer {
  std::string ns_name;    ///< e.g. "ns1.example.com."
  ServerAddress address;  ///< one of its A/AAAA addresses, on the port asked for
};

/// The zone's NS set, one entry per address of each NS name (A and AAAA), on `port`. Throws
/// ChallengeError when the zone has no NS records or none of its names has an address (the
/// message says what each lookup gave).
std::vector<AuthoritativeServer> authoritative_servers(const ResolverSet& resolvers,
                                                       const std::string& zone, std::uint16_t port);

}  // namespace acmecpp::dns01
