// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading what a DNS reply says: rcode, records of one type at one name, TXT strings. Names are
// compared in canonical form (lower case, absolute).

#include <optional>
#include <string>
#include <vector>

#include <ldns/ldns.h>

namespace acmecpp::dns01 {

/// Lower case with exactly one trailing dot: the form names are compared in.
std::string canonical_name(const std::string& name);

/// "NOERROR", "NXDOMAIN", "REFUSED", ...
std::string rcode_name(const ldns_pkt& reply);

/// ldns's presentation form of one rdata field (names absolute, addresses as text).
std::string rdf_text(const ldns_rdf* rdf);

/// The first rdata field of each record of `type` owned by `owner` in `section` (any owner when
/// `owner` is empty: the end of a CNAME chain).
std::vector<std::string> first_fields(const ldns_rr_list* section, ldns_rr_type type,
                                      const std::string& owner);

/// The owner of the first SOA record in `section`, canonical; nullopt when there is none.
std::optional<std::string> soa_owner(const ldns_rr_list* section);

/// The TXT values at `owner` in the answer section, each record's strings joined (a value longer
/// than 255 octets travels split into several strings).
std::vector<std::string> txt_values(const ldns_pkt& reply, const std::string& owner);

}  // namespace acmecpp::dns01
