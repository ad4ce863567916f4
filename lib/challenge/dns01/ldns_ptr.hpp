#pragma once
// RAII owners for ldns objects: every ldns allocation in the DNS-01 code is held by one of these.

#include <ldns/ldns.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace acmecpp::dns01 {

template <auto Free>
struct LdnsDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using LdnsResolverPtr = std::unique_ptr<ldns_resolver, LdnsDeleter<ldns_resolver_deep_free>>;
using LdnsPacketPtr = std::unique_ptr<ldns_pkt, LdnsDeleter<ldns_pkt_free>>;
using LdnsRdfPtr = std::unique_ptr<ldns_rdf, LdnsDeleter<ldns_rdf_deep_free>>;
using LdnsRrPtr = std::unique_ptr<ldns_rr, LdnsDeleter<ldns_rr_free>>;
using LdnsRrListPtr = std::unique_ptr<ldns_rr_list, LdnsDeleter<ldns_rr_list_deep_free>>;
/// A string ldns allocated with malloc (ldns_rdf2str, ldns_rr_type2str, ...).
using MallocStringPtr = std::unique_ptr<char, LdnsDeleter<std::free>>;

/// Takes ownership of a malloc'd C string from ldns; `fallback` when ldns returned null.
inline std::string take_string(char* text, const std::string& fallback = "") {
  const MallocStringPtr owner(text);
  return owner ? std::string(owner.get()) : fallback;
}

}  // namespace acmecpp::dns01
