// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/providers/rfc2136_update.hpp"

#include <vector>

#include "acmecpp/error.hpp"
#include "challenge/dns01/dns_reply.hpp"
#include "challenge/dns01/ldns_ptr.hpp"
#include "core/ascii.hpp"

namespace acmecpp::dns01 {
namespace {

constexpr std::size_t kMaxCharacterString = 255;

/// "adding TXT "v" at x." / "deleting TXT "v" at x.", for messages.
std::string describe(const TxtChange& change) {
  return std::string(change.action == TxtChange::Action::add ? "adding" : "deleting") + " TXT \"" +
         change.value + "\" at " + change.fqdn;
}

/// One character-string rdata field: a length octet, then up to 255 octets.
LdnsRdfPtr character_string(const std::string& chunk) {
  std::vector<uint8_t> data;
  data.push_back(static_cast<uint8_t>(chunk.size()));
  data.insert(data.end(), chunk.begin(), chunk.end());
  return LdnsRdfPtr(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, data.size(), data.data()));
}

/// The TXT record of the change: class IN with the TTL to add it, class NONE with TTL 0 to
/// delete exactly this record.
LdnsRrPtr txt_record(const TxtChange& change) {
  LdnsRrPtr rr(ldns_rr_new());
  LdnsRdfPtr owner(ldns_dname_new_frm_str(change.fqdn.c_str()));
  if (!rr || !owner) throw ChallengeError("rfc2136: '" + change.fqdn + "' is not a domain name");
  ldns_rr_set_owner(rr.get(), owner.release());
  ldns_rr_set_type(rr.get(), LDNS_RR_TYPE_TXT);
  const bool add = change.action == TxtChange::Action::add;
  ldns_rr_set_class(rr.get(), add ? LDNS_RR_CLASS_IN : LDNS_RR_CLASS_NONE);
  ldns_rr_set_ttl(rr.get(), add ? static_cast<uint32_t>(change.ttl.count()) : 0);
  // An empty value is still one (empty) character-string.
  for (std::size_t offset = 0; offset == 0 || offset < change.value.size();
       offset += kMaxCharacterString) {
    LdnsRdfPtr field = character_string(change.value.substr(offset, kMaxCharacterString));
    if (!field || !ldns_rr_push_rdf(rr.get(), field.get())) {
      throw ChallengeError("rfc2136: cannot build the TXT record for " + change.fqdn);
    }
    field.release();  // the record owns it now
  }
  return rr;
}

LdnsPacketPtr update_packet(const std::string& zone, const TxtChange& change) {
  LdnsRrListPtr updates(ldns_rr_list_new());
  LdnsRrPtr rr = txt_record(change);
  if (!updates || !ldns_rr_list_push_rr(updates.get(), rr.get())) {
    throw ChallengeError("rfc2136: out of memory building the update");
  }
  rr.release();  // the list owns it now
  LdnsRdfPtr zone_name(ldns_dname_new_frm_str(zone.c_str()));
  if (!zone_name) throw ChallengeError("rfc2136: '" + zone + "' is not a zone name");
  // The packet takes the zone name; it copies the update list.
  LdnsPacketPtr packet(
      ldns_update_pkt_new(zone_name.release(), LDNS_RR_CLASS_IN, nullptr, updates.get(), nullptr));
  if (!packet) throw ChallengeError("rfc2136: out of memory building the update");
  ldns_pkt_set_rd(packet.get(), false);  // ldns sets it; meaningless for UPDATE
  ldns_pkt_set_random_id(packet.get());
  return packet;
}

void configure_tsig(ldns_resolver* resolver, const TsigKey& key) {
  ldns_resolver_set_tsig_keyname(resolver, key.name.c_str());
  ldns_resolver_set_tsig_algorithm(resolver, key.algorithm.c_str());
  ldns_resolver_set_tsig_keydata(resolver, key.secret.c_str());
}

std::string tsig_error_name(uint16_t error) {
  switch (error) {
    case 16:
      return "BADSIG";
    case 17:
      return "BADKEY";
    case 18:
      return "BADTIME";
    case 22:
      return "BADTRUNC";
    default:
      return std::to_string(error);
  }
}

/// ", TSIG error BADSIG" when the reply's TSIG record carries an error, else "".
std::string tsig_error_note(const ldns_pkt& reply) {
  const ldns_rr* tsig = ldns_pkt_tsig(&reply);
  constexpr std::size_t kErrorField = 5;  // algorithm, time, fudge, MAC, original ID, error
  if (!tsig || ldns_rr_rd_count(tsig) <= kErrorField) return "";
  const uint16_t error = ldns_rdf2native_int16(ldns_rr_rdf(tsig, kErrorField));
  return error == 0 ? "" : ", TSIG error " + tsig_error_name(error);
}

/// Sends over UDP and again over TCP when the answer comes back truncated. ldns_send (not
/// ldns_resolver_send_pkt) keeps the reply when its TSIG does not verify, so that a refusal
/// caused by a wrong key still shows its rcode.
ldns_status exchange(ldns_resolver* resolver, const ldns_pkt& update, LdnsPacketPtr& reply) {
  ldns_pkt* raw = nullptr;
  ldns_status status = ldns_send(&raw, resolver, &update);
  reply.reset(raw);
  if (reply && ldns_pkt_tc(reply.get())) {
    ldns_resolver_set_usevc(resolver, true);
    raw = nullptr;
    status = ldns_send(&raw, resolver, &update);
    reply.reset(raw);
  }
  return status;
}

}  // namespace

std::string tsig_algorithm_name(const std::string& algorithm) {
  std::string name = core::ascii_lower(algorithm);
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name == "hmac-sha256" || name == "hmac-sha512" || name == "hmac-sha1") return name + ".";
  if (name == "hmac-sha384") {
    throw Error(ErrorKind::config,
                "rfc2136: TSIG algorithm hmac-sha384 is not supported (ldns 1.8 cannot sign "
                "with it); use hmac-sha256 or hmac-sha512");
  }
  throw Error(ErrorKind::config, "rfc2136: unsupported TSIG algorithm '" + algorithm +
                                     "' (use hmac-sha256, hmac-sha512 or hmac-sha1)");
}

void send_txt_update(const ServerAddress& server, const std::string& zone, const TxtChange& change,
                     const std::optional<TsigKey>& key, QueryTiming timing) {
  const std::string what = "the update of zone " + zone + " (" + describe(change) + ")";
  const LdnsPacketPtr update = update_packet(zone, change);
  const LdnsResolverPtr resolver = make_resolver(server, timing);
  if (key) {
    configure_tsig(resolver.get(), *key);
    const ldns_status signed_status = ldns_update_pkt_tsig_add(update.get(), resolver.get());
    if (signed_status != LDNS_STATUS_OK) {
      throw ChallengeError("rfc2136: cannot sign " + what + " with TSIG key " + key->name + ": " +
                           ldns_get_errorstr_by_id(signed_status));
    }
  }
  LdnsPacketPtr reply;
  const ldns_status status = exchange(resolver.get(), *update, reply);
  if (!reply) {
    throw ChallengeError("rfc2136: no answer from " + server.to_string() + " to " + what + ": " +
                         ldns_get_errorstr_by_id(status));
  }
  if (ldns_pkt_get_rcode(reply.get()) != LDNS_RCODE_NOERROR) {
    throw ChallengeError("rfc2136: " + server.to_string() + " refused " + what + ": rcode " +
                         rcode_name(*reply) + tsig_error_note(*reply));
  }
  if (status == LDNS_STATUS_CRYPTO_TSIG_BOGUS) {
    throw ChallengeError("rfc2136: " + server.to_string() + " answered " + what +
                         " with NOERROR, but its TSIG signature does not verify with key " +
                         (key ? key->name : std::string("(none)")));
  }
  if (status != LDNS_STATUS_OK) {
    throw ChallengeError("rfc2136: " + what + " at " + server.to_string() + ": " +
                         ldns_get_errorstr_by_id(status));
  }
}

std::string zone_at_server(const ServerAddress& server, const std::string& fqdn,
                           QueryTiming timing) {
  const QueryOutcome outcome =
      query_server(server, fqdn, LDNS_RR_TYPE_SOA, /*recursion_desired=*/false, timing);
  const std::string what = "rfc2136: cannot find the zone of " + fqdn + " at " +
                           server.to_string() + " (set the zone explicitly to skip this): ";
  if (!outcome.reply) throw ChallengeError(what + outcome.failure);
  const ldns_pkt& reply = *outcome.reply;
  if (auto owner = soa_owner(ldns_pkt_answer(&reply))) return *owner;
  if (auto owner = soa_owner(ldns_pkt_authority(&reply))) return *owner;
  throw ChallengeError(what + "it answered " + rcode_name(reply) + " without a SOA record");
}

}  // namespace acmecpp::dns01
