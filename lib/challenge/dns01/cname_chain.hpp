// SPDX-License-Identifier: Apache-2.0
#pragma once
// Following CNAMEs at a challenge record: "_acme-challenge.example.com CNAME x.acme.example.net."
// delegates the challenge to another zone, where the record must then be published.

#include <string>

#include "challenge/dns01/resolver_set.hpp"

namespace acmecpp::dns01 {

/// Where `fqdn` leads through CNAME records, canonical; `fqdn` itself (canonical) when it has
/// none. Throws ChallengeError for a loop or a chain longer than 8 links, and when the resolvers
/// fail.
std::string follow_cname(const ResolverSet& resolvers, const std::string& fqdn);

}  // namespace acmecpp::dns01
