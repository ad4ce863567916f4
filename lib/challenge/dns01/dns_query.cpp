// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/dns_query.hpp"

#include <sys/time.h>

#include <algorithm>

#include "acmecpp/error.hpp"

namespace acmecpp::dns01 {
namespace {

timeval to_timeval(std::chrono::milliseconds duration) {
  const auto ms = std::max<long long>(duration.count(), 1);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

}  // namespace

LdnsResolverPtr make_resolver(const ServerAddress& server, QueryTiming timing) {
  LdnsResolverPtr resolver(ldns_resolver_new());
  if (!resolver) throw Error(ErrorKind::network, "ldns: out of memory creating a resolver");
  const LdnsRdfPtr address = ip_address_rdf(server.host);
  if (!address || ldns_resolver_push_nameserver(resolver.get(), address.get()) != LDNS_STATUS_OK) {
    throw Error(ErrorKind::config, "DNS server " + server.to_string() + ": not an IP address");
  }
  ldns_resolver_set_port(resolver.get(), server.port);
  ldns_resolver_set_timeout(resolver.get(), to_timeval(timing.timeout));
  ldns_resolver_set_retry(resolver.get(), static_cast<uint8_t>(std::clamp(timing.attempts, 1, 10)));
  ldns_resolver_set_retrans(resolver.get(), 0);  // ldns would sleep() this many seconds
  ldns_resolver_set_random(resolver.get(), false);
  ldns_resolver_set_fallback(resolver.get(), true);  // truncated: EDNS0 4096, then TCP
  return resolver;
}

QueryOutcome query_server(const ServerAddress& server, const std::string& name, ldns_rr_type type,
                          bool recursion_desired, QueryTiming timing) {
  QueryOutcome outcome;
  const LdnsRdfPtr qname(ldns_dname_new_frm_str(name.c_str()));
  if (!qname) {
    outcome.failure = "'" + name + "' is not a valid domain name";
    return outcome;
  }
  const LdnsResolverPtr resolver = make_resolver(server, timing);
  ldns_pkt* reply = nullptr;
  const ldns_status status = ldns_resolver_send(&reply, resolver.get(), qname.get(), type,
                                                LDNS_RR_CLASS_IN, recursion_desired ? LDNS_RD : 0);
  outcome.reply.reset(reply);
  if (status != LDNS_STATUS_OK || !outcome.reply) {
    outcome.reply.reset();
    outcome.failure = std::string("no answer (") + ldns_get_errorstr_by_id(status) + ")";
  }
  return outcome;
}

std::string type_name(ldns_rr_type type) {
  return take_string(ldns_rr_type2str(type), "TYPE" + std::to_string(int(type)));
}

}  // namespace acmecpp::dns01
