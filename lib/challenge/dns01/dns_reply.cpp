// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/dns_reply.hpp"

#include <algorithm>

#include "challenge/dns01/ldns_ptr.hpp"
#include "core/ascii.hpp"

namespace acmecpp::dns01 {
namespace {

bool owned_by(const ldns_rr* rr, ldns_rr_type type, const std::string& owner) {
  return ldns_rr_get_type(rr) == type && canonical_name(rdf_text(ldns_rr_owner(rr))) == owner;
}

/// A character-string rdata field: one length octet, then the octets.
std::string character_string(const ldns_rdf* rdf) {
  const std::size_t size = ldns_rdf_size(rdf);
  if (size == 0) return {};
  const auto* data = reinterpret_cast<const char*>(ldns_rdf_data(rdf));
  const std::size_t length = std::min<std::size_t>(static_cast<unsigned char>(data[0]), size - 1);
  return std::string(data + 1, length);
}

}  // namespace

std::string canonical_name(const std::string& name) {
  std::string result = core::ascii_lower(name);
  if (result.empty() || result.back() != '.') result += '.';
  return result;
}

std::string rcode_name(const ldns_pkt& reply) {
  const ldns_pkt_rcode rcode = ldns_pkt_get_rcode(&reply);
  const ldns_lookup_table* entry = ldns_lookup_by_id(ldns_rcodes, int(rcode));
  return entry ? entry->name : "RCODE" + std::to_string(int(rcode));
}

std::string rdf_text(const ldns_rdf* rdf) {
  return rdf ? take_string(ldns_rdf2str(rdf)) : std::string();
}

std::vector<std::string> first_fields(const ldns_rr_list* section, ldns_rr_type type,
                                      const std::string& owner) {
  std::vector<std::string> fields;
  const std::string wanted = owner.empty() ? owner : canonical_name(owner);
  for (std::size_t i = 0; section && i < ldns_rr_list_rr_count(section); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(section, i);
    const bool matches = wanted.empty() ? ldns_rr_get_type(rr) == type : owned_by(rr, type, wanted);
    if (matches && ldns_rr_rd_count(rr) > 0) {
      fields.push_back(rdf_text(ldns_rr_rdf(rr, 0)));
    }
  }
  return fields;
}

std::optional<std::string> soa_owner(const ldns_rr_list* section) {
  for (std::size_t i = 0; section && i < ldns_rr_list_rr_count(section); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(section, i);
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
      return canonical_name(rdf_text(ldns_rr_owner(rr)));
    }
  }
  return std::nullopt;
}

std::vector<std::string> txt_values(const ldns_pkt& reply, const std::string& owner) {
  std::vector<std::string> values;
  const ldns_rr_list* answer = ldns_pkt_answer(&reply);
  const std::string wanted = canonical_name(owner);
  for (std::size_t i = 0; answer && i < ldns_rr_list_rr_count(answer); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    if (!owned_by(rr, LDNS_RR_TYPE_TXT, wanted)) continue;
    std::string value;
    for (std::size_t field = 0; field < ldns_rr_rd_count(rr); ++field) {
      value += character_string(ldns_rr_rdf(rr, field));
    }
    values.push_back(value);
  }
  return values;
}

}  // namespace acmecpp::dns01
