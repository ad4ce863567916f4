// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/propagation_check.hpp"

#include <algorithm>
#include <set>

#include "acmecpp/error.hpp"
#include "challenge/dns01/dns_query.hpp"
#include "challenge/dns01/dns_reply.hpp"
#include "challenge/dns01/zone_discovery.hpp"
#include "core/duration_text.hpp"

namespace acmecpp::dns01 {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One server gets at most this long per look, so that a dead one cannot eat the whole timeout.
constexpr milliseconds kMaxQueryTimeout{2000};
constexpr milliseconds kMinQueryTimeout{200};

/// What one server said in one look.
struct Observation {
  bool has_value = false;
  std::string answered;  ///< e.g. "answered NXDOMAIN", "gave no answer (timeout)"
};

std::string quoted_list(const std::vector<std::string>& values) {
  std::string text;
  for (const auto& v : values) text += (text.empty() ? "\"" : ", \"") + v + "\"";
  return text;
}

Observation look(const CheckedServer& server, const std::string& fqdn, const std::string& value,
                 milliseconds timeout) {
  const QueryOutcome outcome = query_server(server.address, fqdn, LDNS_RR_TYPE_TXT,
                                            /*recursion_desired=*/false, QueryTiming{timeout, 1});
  if (!outcome.reply) return {false, "gave " + outcome.failure};
  const ldns_pkt& reply = *outcome.reply;
  if (ldns_pkt_get_rcode(&reply) != LDNS_RCODE_NOERROR) {
    return {false, "answered " + rcode_name(reply)};
  }
  if (server.require_authoritative && !ldns_pkt_aa(&reply)) {
    return {false, "answered without the AA flag (it does not serve the zone)"};
  }
  const auto values = txt_values(reply, fqdn);
  if (values.empty()) return {false, "answered NOERROR without a TXT record"};
  const bool found = std::find(values.begin(), values.end(), value) != values.end();
  return {found, "answered TXT " + quoted_list(values)};
}

std::string describe(const std::vector<CheckedServer>& servers,
                     const std::vector<Observation>& observations) {
  std::string text;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    text += (text.empty() ? "" : "; ") + servers[i].label + " " + observations[i].answered;
  }
  return text;
}

bool every_server_has_value(const std::vector<CheckedServer>& servers,
                            const std::vector<Observation>& observations) {
  std::set<std::string> missing;
  for (const auto& s : servers) missing.insert(s.server);
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (observations[i].has_value) missing.erase(servers[i].server);
  }
  return missing.empty();
}

}  // namespace

std::vector<CheckedServer> override_servers(const Dns01PropagationOptions& options) {
  std::vector<CheckedServer> servers;
  for (const auto& text : options.authoritative_override) {
    const ServerAddress address = parse_server_address(text, "DNS-01 authoritative override");
    servers.push_back(CheckedServer{address.to_string(), address, false, address.to_string()});
  }
  return servers;
}

std::vector<CheckedServer> discovered_servers(const std::string& fqdn,
                                              const Dns01PropagationOptions& options,
                                              const ResolverSet& resolvers, std::string& zone_out) {
  std::vector<CheckedServer> servers;
  try {
    zone_out = find_zone(resolvers, fqdn);
    const auto port = options.authoritative_port.value_or(kDnsPort);
    for (const auto& ns : authoritative_servers(resolvers, zone_out, port)) {
      servers.push_back(CheckedServer{ns.ns_name + " (" + ns.address.to_string() + ")", ns.address,
                                      true, ns.ns_name});
    }
  } catch (const ChallengeError& e) {
    throw ChallengeError("cannot check TXT record " + fqdn + ": " + e.what());
  }
  return servers;
}

void wait_until_txt_visible(const std::string& fqdn, const std::string& value,
                            const std::vector<CheckedServer>& servers, PropagationPace pace,
                            const LogSink& log, const StopToken& stop) {
  const std::string doing = "waiting for TXT record " + fqdn;
  const auto started = Clock::now();
  const auto deadline = started + pace.timeout;
  for (int round = 1;; ++round) {
    std::vector<Observation> observations;
    for (const auto& server : servers) {
      stop.throw_if_stopped(doing);
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      observations.push_back(
          look(server, fqdn, value, std::clamp(left, kMinQueryTimeout, kMaxQueryTimeout)));
    }
    if (every_server_has_value(servers, observations)) return;
    if (log)
      log(LogLevel::debug, "DNS-01 " + fqdn + " look " + std::to_string(round) + ": " +
                               describe(servers, observations));
    if (Clock::now() + pace.interval > deadline) {
      throw ChallengeError("TXT record " + fqdn + " with value \"" + value +
                           "\" not visible on every authoritative server after " +
                           core::duration_text(pace.timeout) + ": " +
                           describe(servers, observations));
    }
    if (!stop.wait_for(pace.interval)) stop.throw_if_stopped(doing);
  }
}

}  // namespace acmecpp::dns01
