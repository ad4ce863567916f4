// SPDX-License-Identifier: Apache-2.0
#pragma once
// RAII owners for ldns objects: every ldns allocation in the DNS-01 code is held by one of these.

#include <ldns/ldns.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "core/c_handle.hpp"

namespace acmecpp::dns01 {

using LdnsResolverPtr = core::CHandle<ldns_resolver, ldns_resolver_deep_free>;
using LdnsPacketPtr = core::CHandle<ldns_pkt, ldns_pkt_free>;
using LdnsRdfPtr = core::CHandle<ldns_rdf, ldns_rdf_deep_free>;
using LdnsRrPtr = core::CHandle<ldns_rr, ldns_rr_free>;
using LdnsRrListPtr = core::CHandle<ldns_rr_list, ldns_rr_list_deep_free>;
/// A string ldns allocated with malloc (ldns_rdf2str, ldns_rr_type2str, ...).
using MallocStringPtr = core::CHandle<char, std::free>;

/// Takes ownership of a malloc'd C string from ldns; `fallback` when ldns returned null.
inline std::string take_string(char* text, const std::string& fallback = "") {
  const MallocStringPtr owner(text);
  return owner ? std::string(owner.get()) : fallback;
}

}  // namespace acmecpp::dns01
