// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/zone_discovery.hpp"

#include "acmecpp/error.hpp"
#include "challenge/dns01/dns_reply.hpp"

namespace acmecpp::dns01 {
namespace {

bool is_zone_apex(const ResolverSet& resolvers, const std::string& name) {
  const LdnsPacketPtr reply = resolvers.ask(name, LDNS_RR_TYPE_SOA);
  // Owner must match: a CNAME at `name` brings its target's SOA along, and a name inside a zone
  // may bring the zone's SOA in the authority section (NODATA); neither makes `name` the apex.
  return !first_fields(ldns_pkt_answer(reply.get()), LDNS_RR_TYPE_SOA, name).empty();
}

/// Addresses of one NS name; what went wrong is appended to `notes` instead of thrown, since
/// other NS names may still do.
std::vector<std::string> addresses_of(const ResolverSet& resolvers, const std::string& ns_name,
                                      std::string& notes) {
  std::vector<std::string> addresses;
  for (const ldns_rr_type type : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
    try {
      const LdnsPacketPtr reply = resolvers.ask(ns_name, type);
      for (auto& address : first_fields(ldns_pkt_answer(reply.get()), type, "")) {
        addresses.push_back(std::move(address));
      }
    } catch (const ChallengeError& e) {
      notes += std::string(notes.empty() ? "" : "; ") + e.what();
    }
  }
  if (addresses.empty()) {
    notes += (notes.empty() ? "" : "; ") + ns_name + " has no A or AAAA record";
  }
  return addresses;
}

}  // namespace

std::string find_zone(const ResolverSet& resolvers, const std::string& fqdn) {
  LdnsRdfPtr candidate(ldns_dname_new_frm_str(fqdn.c_str()));
  if (!candidate) throw ChallengeError("'" + fqdn + "' is not a valid domain name");
  while (ldns_dname_label_count(candidate.get()) > 0) {
    const std::string name = canonical_name(rdf_text(candidate.get()));
    if (is_zone_apex(resolvers, name)) return name;
    candidate.reset(ldns_dname_left_chop(candidate.get()));
    if (!candidate) break;
  }
  throw ChallengeError("no zone found for " + fqdn + ": no enclosing name has a SOA record " +
                       "according to the resolvers " + resolvers.describe());
}

std::vector<AuthoritativeServer> authoritative_servers(const ResolverSet& resolvers,
                                                       const std::string& zone,
                                                       std::uint16_t port) {
  const LdnsPacketPtr reply = resolvers.ask(zone, LDNS_RR_TYPE_NS);
  const auto ns_names = first_fields(ldns_pkt_answer(reply.get()), LDNS_RR_TYPE_NS, zone);
  if (ns_names.empty()) {
    throw ChallengeError("zone " + zone + " has no NS records according to the resolvers " +
                         resolvers.describe());
  }
  std::vector<AuthoritativeServer> servers;
  std::string notes;
  for (const auto& ns_name : ns_names) {
    for (const auto& address : addresses_of(resolvers, ns_name, notes)) {
      servers.push_back(AuthoritativeServer{ns_name, ServerAddress{address, port}});
    }
  }
  if (servers.empty()) {
    throw ChallengeError("no address found for any nameserver of zone " + zone + ": " + notes);
  }
  return servers;
}

}  // namespace acmecpp::dns01
