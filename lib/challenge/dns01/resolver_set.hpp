// SPDX-License-Identifier: Apache-2.0
#pragma once
// The recursive resolvers the DNS-01 code asks for zones, NS sets, addresses and CNAMEs: the
// configured ones in order, or the system's from /etc/resolv.conf.

#include <string>
#include <vector>

#include "challenge/dns01/dns_query.hpp"
#include "challenge/dns01/server_address.hpp"

namespace acmecpp::dns01 {

class ResolverSet {
 public:
  /// `configured`: IP addresses with optional ports (see parse_server_address). Empty: the
  /// nameservers of /etc/resolv.conf. Throws Error(config) for an address that does not parse
  /// or when there is no resolver at all.
  explicit ResolverSet(const std::vector<std::string>& configured, QueryTiming timing = {});

  /// Asks each resolver in turn (RD set) and returns the first reply that is NOERROR or
  /// NXDOMAIN. Throws ChallengeError naming the query and what each resolver answered.
  LdnsPacketPtr ask(const std::string& name, ldns_rr_type type) const;

  /// "127.0.0.1:53, [::1]:53", for messages.
  std::string describe() const;

 private:
  std::vector<ServerAddress> servers_;
  QueryTiming timing_;
};

}  // namespace acmecpp::dns01
