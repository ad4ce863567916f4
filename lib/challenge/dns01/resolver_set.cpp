// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/resolver_set.hpp"

#include "acmecpp/error.hpp"
#include "challenge/dns01/dns_reply.hpp"

namespace acmecpp::dns01 {
namespace {

/// The nameservers ldns reads from /etc/resolv.conf (production only: tests always configure
/// loopback resolvers).
std::vector<ServerAddress> system_resolvers() {
  ldns_resolver* raw = nullptr;
  const ldns_status status = ldns_resolver_new_frm_file(&raw, nullptr);
  const LdnsResolverPtr system(raw);
  if (status != LDNS_STATUS_OK || !system) {
    throw Error(ErrorKind::config, std::string("cannot read the system's DNS resolvers from "
                                               "/etc/resolv.conf: ") +
                                       ldns_get_errorstr_by_id(status));
  }
  std::vector<ServerAddress> servers;
  ldns_rdf** addresses = ldns_resolver_nameservers(system.get());
  for (std::size_t i = 0; i < ldns_resolver_nameserver_count(system.get()); ++i) {
    servers.push_back(ServerAddress{rdf_text(addresses[i]), ldns_resolver_port(system.get())});
  }
  return servers;
}

bool is_definite(const ldns_pkt& reply) {
  const ldns_pkt_rcode rcode = ldns_pkt_get_rcode(&reply);
  return rcode == LDNS_RCODE_NOERROR || rcode == LDNS_RCODE_NXDOMAIN;
}

}  // namespace

ResolverSet::ResolverSet(const std::vector<std::string>& configured, QueryTiming timing)
    : timing_(timing) {
  for (const auto& text : configured) {
    servers_.push_back(parse_server_address(text, "DNS-01 resolver"));
    if (!ip_address_rdf(servers_.back().host)) {
      throw Error(ErrorKind::config, "DNS-01 resolver '" + text + "': not an IP address");
    }
  }
  if (configured.empty()) servers_ = system_resolvers();
  if (servers_.empty()) {
    throw Error(ErrorKind::config, "no DNS resolver configured and none in /etc/resolv.conf");
  }
}

LdnsPacketPtr ResolverSet::ask(const std::string& name, ldns_rr_type type) const {
  std::string answers;
  for (const auto& server : servers_) {
    QueryOutcome outcome = query_server(server, name, type, /*recursion_desired=*/true, timing_);
    if (outcome.reply && is_definite(*outcome.reply)) return std::move(outcome.reply);
    answers += (answers.empty() ? "" : "; ") + server.to_string() + ": " +
               (outcome.reply ? rcode_name(*outcome.reply) : outcome.failure);
  }
  throw ChallengeError("DNS query " + type_name(type) + " " + name +
                       " got no usable answer from the resolvers (" + answers + ")");
}

std::string ResolverSet::describe() const {
  std::string text;
  for (const auto& server : servers_) text += (text.empty() ? "" : ", ") + server.to_string();
  return text;
}

}  // namespace acmecpp::dns01
