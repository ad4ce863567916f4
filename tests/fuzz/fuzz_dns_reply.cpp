// SPDX-License-Identifier: Apache-2.0
// DNS replies (what a resolver or an authoritative server sends during DNS-01): the wire bytes as
// ldns parses them, then everything acmecpp reads from a reply: the rcode, the TXT values at the
// question's name, CNAME targets, the SOA owner, each record's first field as text. Whatever the
// bytes, nothing crashes, leaks or reads out of bounds; TXT values read are at most the reply.

#include <string>

// dns_reply.hpp includes <ldns/ldns.h> after the standard headers: ldns's macros clash with
// libstdc++'s when it comes first.
#include "challenge/dns01/dns_reply.hpp"
#include "challenge/dns01/ldns_ptr.hpp"
#include "fuzz_support.hpp"

namespace dns01 = acmecpp::dns01;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, data, size) != LDNS_STATUS_OK) return 0;
  const dns01::LdnsPacketPtr reply(raw);
  (void)dns01::rcode_name(*reply);
  std::string owner;
  if (const ldns_rr_list* question = ldns_pkt_question(reply.get());
      question && ldns_rr_list_rr_count(question) > 0) {
    owner = dns01::canonical_name(dns01::rdf_text(ldns_rr_owner(ldns_rr_list_rr(question, 0))));
  }
  std::size_t txt_bytes = 0;
  for (const auto& value : dns01::txt_values(*reply, owner)) txt_bytes += value.size();
  acmecpp::fuzz::require(txt_bytes <= size, "TXT values longer than the reply");
  for (const ldns_rr_list* section :
       {ldns_pkt_answer(reply.get()), ldns_pkt_authority(reply.get())}) {
    (void)dns01::first_fields(section, LDNS_RR_TYPE_CNAME, "");
    (void)dns01::first_fields(section, LDNS_RR_TYPE_NS, owner);
    (void)dns01::soa_owner(section);
  }
  return 0;
}
