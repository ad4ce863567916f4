// SPDX-License-Identifier: Apache-2.0
#include "store/acme_json_records.hpp"

#include <utility>

#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "store/json_members.hpp"
#include "store/renewal_state_json.hpp"

namespace acmecpp::store {
namespace {

constexpr std::string_view kDefaultTlsStore = "default";

Error field_error(const std::string& place, std::string_view field, const std::string& problem) {
  return Error(ErrorKind::storage, place + ": field \"" + std::string(field) + "\" " + problem);
}

// Absent and null read as "" (Go leaves the string empty in both cases).
std::string read_string(const Json& object, std::string_view field, const std::string& place) {
  const Json* member = find_member(object, field);
  if (member == nullptr || member->is_null()) return {};
  if (!member->is_string()) throw field_error(place, field, "must be a string");
  return member->get<std::string>();
}

// Go's []byte fields: a base64 (standard alphabet, padded) string.
std::string read_base64(const Json& object, std::string_view field, const std::string& place) {
  const Json* member = find_member(object, field);
  if (member == nullptr || member->is_null()) return {};
  if (!member->is_string()) throw field_error(place, field, "must be a base64 string");
  try {
    return core::base64_decode(member->get_ref<const std::string&>());
  } catch (const Error& error) {
    // The decoder's message gives only the offset, never the (secret) text.
    throw field_error(place, field, std::string("is not valid base64: ") + error.what());
  }
}

// The object member `field`, or nullptr when it is absent or null; any other type is refused.
const Json* read_object(const Json& object, std::string_view field, const std::string& place) {
  const Json* member = find_member(object, field);
  if (member == nullptr || member->is_null()) return nullptr;
  if (!member->is_object()) throw field_error(place, field, "must be an object");
  return member;
}

std::vector<std::string> read_sans(const Json& domain, const std::string& place) {
  const Json* sans = find_member(domain, "sans");
  if (sans == nullptr || sans->is_null()) return {};
  if (!sans->is_array()) throw field_error(place, "sans", "must be an array of strings");
  std::vector<std::string> names;
  names.reserve(sans->size());
  for (const Json& name : *sans) {
    if (!name.is_string()) throw field_error(place, "sans", "must be an array of strings");
    names.push_back(name.get<std::string>());
  }
  return names;
}

// Finds the object member `field`, creating (or replacing a non-object by) an empty object.
Json& object_member(Json& object, std::string_view field) {
  Json* member = find_member(object, field);
  if (member == nullptr || !member->is_object()) {
    set_member(object, field, Json::object(), false);
    member = find_member(object, field);
  }
  return *member;
}

Json parse_registration_body(const std::string& body) {
  try {
    return Json::parse(body);
  } catch (const nlohmann::json::parse_error& error) {
    throw Error(ErrorKind::invalid_input, "account registration body is not valid JSON (byte " +
                                              std::to_string(error.byte) + ")");
  }
}

// "Registration" is lego's registration.Resource: {"body": <account object>, "uri": <URL>}.
void write_registration(Json& account, const AccountRecord& record) {
  const bool empty = record.uri.empty() && record.registration_body.empty();
  if (empty) {
    const Json* registration = find_member(account, "Registration");
    if (registration == nullptr || !registration->is_object()) {
      set_member(account, "Registration", nullptr, true);
      return;
    }
  }
  Json& registration = object_member(account, "Registration");
  const bool no_body = record.registration_body.empty();
  set_member(registration, "body",
             no_body ? Json() : parse_registration_body(record.registration_body), no_body);
  set_member(registration, "uri", record.uri, record.uri.empty());
}

Json sans_array(const std::vector<std::string>& sans) {
  Json array = Json::array();
  for (const auto& name : sans) array.push_back(name);
  return array;
}

}  // namespace

AccountRecord read_account(const Json& account, const std::string& place) {
  AccountRecord record;
  record.email = read_string(account, "Email", place);
  if (const Json* registration = read_object(account, "Registration", place)) {
    const std::string registration_place = place + ", Registration";
    record.uri = read_string(*registration, "uri", registration_place);
    const Json* body = find_member(*registration, "body");
    if (body != nullptr && !body->is_null()) record.registration_body = body->dump();
  }
  record.private_key_der = read_base64(account, "PrivateKey", place);
  record.key_type = read_string(account, "KeyType", place);
  return record;
}

CertificateRecord read_certificate(const Json& entry, const std::string& place) {
  CertificateRecord record;
  if (const Json* domain = read_object(entry, "domain", place)) {
    const std::string domain_place = place + ", domain";
    record.main = read_string(*domain, "main", domain_place);
    record.sans = read_sans(*domain, domain_place);
  }
  record.certificate_pem = read_base64(entry, "certificate", place);
  record.key_pem = read_base64(entry, "key", place);
  const Json* store = find_member(entry, "Store");
  record.store = store == nullptr || store->is_null() ? std::string(kDefaultTlsStore)
                                                      : read_string(entry, "Store", place);
  record.renewal = read_renewal_state(entry, place);
  return record;
}

std::string certificate_main(const Json& entry) {
  const Json* domain = find_member(entry, "domain");
  if (domain == nullptr) return {};
  const Json* main = find_member(*domain, "main");
  return main != nullptr && main->is_string() ? main->get<std::string>() : std::string();
}

Json new_account_object() {
  // Go's field order in Traefik's acme.Account.
  Json account = Json::object();
  account["Email"] = "";
  account["Registration"] = nullptr;
  account["PrivateKey"] = "";
  account["KeyType"] = "";
  return account;
}

Json new_certificate_object() {
  // Traefik's CertAndStore: the embedded Certificate's fields first, then Store.
  Json entry = Json::object();
  entry["domain"] = Json::object({{"main", ""}});
  entry["certificate"] = "";
  entry["key"] = "";
  entry["Store"] = kDefaultTlsStore;
  return entry;
}

void write_account(Json& account, const AccountRecord& record) {
  set_member(account, "Email", record.email, record.email.empty());
  write_registration(account, record);
  set_member(account, "PrivateKey", core::base64_encode(record.private_key_der),
             record.private_key_der.empty());
  set_member(account, "KeyType", record.key_type, record.key_type.empty());
}

void write_certificate(Json& entry, const CertificateRecord& record) {
  Json& domain = object_member(entry, "domain");
  set_member(domain, "main", record.main, record.main.empty());
  set_member(domain, "sans", sans_array(record.sans), record.sans.empty());
  set_member(entry, "certificate", core::base64_encode(record.certificate_pem),
             record.certificate_pem.empty());
  set_member(entry, "key", core::base64_encode(record.key_pem), record.key_pem.empty());
  set_member(entry, "Store", record.store, record.store == kDefaultTlsStore);
  write_renewal_state(entry, record.renewal);
}

}  // namespace acmecpp::store
