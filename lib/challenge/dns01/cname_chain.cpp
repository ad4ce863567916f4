// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/cname_chain.hpp"

#include <algorithm>
#include <vector>

#include "acmecpp/error.hpp"
#include "challenge/dns01/dns_reply.hpp"

namespace acmecpp::dns01 {
namespace {

constexpr std::size_t kMaxLinks = 8;

std::string describe_chain(const std::vector<std::string>& chain) {
  std::string text;
  for (const auto& name : chain) text += (text.empty() ? "" : " -> ") + name;
  return text;
}

}  // namespace

std::string follow_cname(const ResolverSet& resolvers, const std::string& fqdn) {
  std::vector<std::string> chain{canonical_name(fqdn)};
  for (;;) {
    const LdnsPacketPtr reply = resolvers.ask(chain.back(), LDNS_RR_TYPE_CNAME);
    const auto targets =
        first_fields(ldns_pkt_answer(reply.get()), LDNS_RR_TYPE_CNAME, chain.back());
    if (targets.empty()) return chain.back();
    const std::string target = canonical_name(targets.front());
    if (std::find(chain.begin(), chain.end(), target) != chain.end()) {
      throw ChallengeError("CNAME loop at " + fqdn + ": " + describe_chain(chain) + " -> " +
                           target);
    }
    chain.push_back(target);
    if (chain.size() > kMaxLinks + 1) {
      throw ChallengeError("CNAME chain at " + fqdn + " longer than " + std::to_string(kMaxLinks) +
                           " links: " + describe_chain(chain));
    }
  }
}

}  // namespace acmecpp::dns01
