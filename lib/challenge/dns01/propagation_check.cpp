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

/// The servers (CheckedServer::server) none of whose addresses answered the value yet.
std::string servers_without_value(const std::vector<CheckedServer>& servers,
                                  const std::vector<Observation>& observations) {
  std::vector<std::string> missing;
  for (const auto& s : servers) {
    if (std::find(missing.begin(), missing.end(), s.server) == missing.end())
      missing.push_back(s.server);
  }
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (observations[i].has_value) {
      missing.erase(std::remove(missing.begin(), missing.end(), servers[i].server), missing.end());
    }
  }
  std::string text;
  for (const auto& server : missing) text += (text.empty() ? "" : ", ") + server;
  return text;
}

/// A log line that cannot be written is lost, never the check's failure.
void tell(const LogSink& log, LogLevel level, const std::string& message) noexcept {
  try {
    if (log) log(level, message);
  } catch (...) {
  }
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
  auto next_report = started + pace.report_every;
  for (int round = 1;; ++round) {
    std::vector<Observation> observations;
    for (const auto& server : servers) {
      stop.throw_if_stopped(doing);
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      observations.push_back(
          look(server, fqdn, value, std::clamp(left, kMinQueryTimeout, kMaxQueryTimeout)));
    }
    if (every_server_has_value(servers, observations)) return;
    tell(log, LogLevel::debug,
         "DNS-01 " + fqdn + " look " + std::to_string(round) + ": " +
             describe(servers, observations));
    const auto now = Clock::now();
    if (pace.report_every.count() > 0 && now >= next_report) {
      const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - started);
      tell(log, LogLevel::info,
           "waiting for TXT " + fqdn + " at " + servers_without_value(servers, observations) +
               " (" + core::duration_text(waited) + " of " + core::duration_text(pace.timeout) +
               ")");
      while (next_report <= now) next_report += pace.report_every;
    }
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
