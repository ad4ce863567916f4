// SPDX-License-Identifier: Apache-2.0
#include "store/acme_json_document.hpp"

#include <algorithm>
#include <utility>

#include "acmecpp/error.hpp"
#include "core/ascii.hpp"
#include "store/acme_json_records.hpp"
#include "store/json_members.hpp"
#include "store/pending_order_json.hpp"

namespace acmecpp::store {
namespace {

Error layout_error(const std::string& place, const std::string& problem) {
  return Error(ErrorKind::storage, place + ": " + problem);
}

// A member that must be `expected` (object or array) or null/absent, as Go's decoder demands.
void check_member_type(const Json& object, std::string_view field, Json::value_t expected,
                       const std::string& place) {
  const Json* member = find_member(object, field);
  if (member == nullptr || member->is_null() || member->type() == expected) return;
  const char* what = expected == Json::value_t::array ? "an array" : "an object";
  throw layout_error(place, "field \"" + std::string(field) + "\" must be " + what + " or null");
}

/// acmecpp's own member of a resolver section: {"orders": [...], "server": "..."} (Traefik
/// ignores it).
constexpr std::string_view kOwnMember = "acmecpp";
constexpr std::string_view kOrders = "orders";
constexpr std::string_view kServer = "server";

std::string order_main(const Json& order) {
  const Json* names = find_member(order, "names");
  if (names == nullptr || !names->is_array() || names->empty() || !(*names)[0].is_string()) {
    return {};
  }
  return (*names)[0].get<std::string>();
}

void erase_member(Json& object, std::string_view name) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (core::equal_ignoring_ascii_case(it.key(), name)) {
      object.erase(it);
      return;
    }
  }
}

}  // namespace

AcmeJsonDocument::AcmeJsonDocument(std::string_view text, std::string path)
    : path_(std::move(path)), root_(parse_acme_json(text, path_)) {
  // encoding/json decodes a bare null into an empty map, so Traefik accepts it.
  if (root_.is_null()) root_ = Json::object();
  check_layout();
}

// Checks the shape only (cheap even with thousands of entries); field types and base64 are
// checked when a resolver is read, so a damaged entry does not block the other resolvers.
void AcmeJsonDocument::check_layout() const {
  if (!root_.is_object()) {
    throw layout_error(path_, "the top level must be an object of resolvers");
  }
  for (const auto& resolver : root_.items()) {
    const Json& value = resolver.value();
    if (value.is_null()) continue;
    const std::string where = place(resolver.key());
    if (!value.is_object()) throw layout_error(where, "must be an object or null");
    check_member_type(value, "Account", Json::value_t::object, where);
    check_member_type(value, "Certificates", Json::value_t::array, where);
    check_member_type(value, kOwnMember, Json::value_t::object, where);
    if (const Json* own = find_member(value, kOwnMember); own != nullptr && !own->is_null()) {
      check_member_type(*own, kOrders, Json::value_t::array, where + ", acmecpp");
    }
    const Json* certificates = find_member(value, "Certificates");
    if (certificates == nullptr || certificates->is_null()) continue;
    for (std::size_t i = 0; i < certificates->size(); ++i) {
      if (!(*certificates)[i].is_object()) {
        throw layout_error(where + ", Certificates[" + std::to_string(i) + "]",
                           "must be an object");
      }
    }
  }
}

std::string AcmeJsonDocument::place(const std::string& resolver) const {
  return path_ + ": resolver \"" + resolver + "\"";
}

std::string AcmeJsonDocument::entry_place(const std::string& resolver, std::size_t index,
                                          const Json& entry) const {
  std::string where = place(resolver) + ", Certificates[" + std::to_string(index) + "]";
  const std::string main = certificate_main(entry);
  if (!main.empty()) where += " (" + main + ")";
  return where;
}

const Json* AcmeJsonDocument::resolver_object(const std::string& resolver) const {
  // Resolver names are map keys in Traefik: matched exactly.
  const auto found = root_.find(resolver);
  if (found == root_.end() || found->is_null()) return nullptr;
  return &*found;
}

Json& AcmeJsonDocument::resolver_object_for_update(const std::string& resolver) {
  Json& value = root_[resolver];
  if (value.is_null()) {
    // Traefik's StoredData: both members always written.
    value = Json::object();
    value["Account"] = nullptr;
    value["Certificates"] = nullptr;
  }
  return value;
}

Json& AcmeJsonDocument::certificates_for_update(const std::string& resolver) {
  Json& resolver_value = resolver_object_for_update(resolver);
  Json* certificates = find_member(resolver_value, "Certificates");
  if (certificates == nullptr || certificates->is_null()) {
    set_member(resolver_value, "Certificates", Json::array(), false);
    certificates = find_member(resolver_value, "Certificates");
  }
  return *certificates;
}

std::vector<std::string> AcmeJsonDocument::resolvers() const {
  std::vector<std::string> names;
  names.reserve(root_.size());
  for (const auto& resolver : root_.items()) names.push_back(resolver.key());
  return names;
}

std::optional<AccountRecord> AcmeJsonDocument::account(const std::string& resolver) const {
  const Json* resolver_value = resolver_object(resolver);
  if (resolver_value == nullptr) return std::nullopt;
  const Json* account = find_member(*resolver_value, "Account");
  if (account == nullptr || account->is_null()) return std::nullopt;
  return read_account(*account, place(resolver) + ", Account");
}

std::vector<CertificateRecord> AcmeJsonDocument::certificates(const std::string& resolver) const {
  std::vector<CertificateRecord> records;
  const Json* resolver_value = resolver_object(resolver);
  if (resolver_value == nullptr) return records;
  const Json* entries = find_member(*resolver_value, "Certificates");
  if (entries == nullptr || entries->is_null()) return records;
  records.reserve(entries->size());
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const Json& entry = (*entries)[i];
    CertificateRecord record = read_certificate(entry, entry_place(resolver, i, entry));
    if (record.certificate_pem.empty() || record.key_pem.empty()) continue;
    records.push_back(std::move(record));
  }
  return records;
}

const std::vector<std::size_t>& AcmeJsonDocument::entries_named(const std::string& resolver,
                                                                std::string_view main) const {
  static const std::vector<std::size_t> none;
  auto built = name_index_.find(resolver);
  if (built == name_index_.end()) {
    NameIndex index;
    const Json* resolver_value = resolver_object(resolver);
    const Json* entries = resolver_value ? find_member(*resolver_value, "Certificates") : nullptr;
    if (entries != nullptr && entries->is_array()) {
      for (std::size_t i = 0; i < entries->size(); ++i) {
        index[core::ascii_lower(certificate_main((*entries)[i]))].push_back(i);
      }
    }
    built = name_index_.emplace(resolver, std::move(index)).first;
  }
  const auto found = built->second.find(core::ascii_lower(main));
  return found == built->second.end() ? none : found->second;
}

std::optional<CertificateRecord> AcmeJsonDocument::readable_entry(const std::string& resolver,
                                                                  std::size_t index) const {
  const Json& entry = (*find_member(*resolver_object(resolver), "Certificates"))[index];
  CertificateRecord record = read_certificate(entry, entry_place(resolver, index, entry));
  if (record.certificate_pem.empty() || record.key_pem.empty()) return std::nullopt;
  return record;
}

std::vector<CertificateRecord> AcmeJsonDocument::certificates_named(const std::string& resolver,
                                                                    std::string_view main) const {
  std::vector<CertificateRecord> records;
  if (main.empty()) return records;
  for (const std::size_t index : entries_named(resolver, main)) {
    if (auto record = readable_entry(resolver, index)) records.push_back(std::move(*record));
  }
  return records;
}

void AcmeJsonDocument::set_account(const std::string& resolver, const AccountRecord& account) {
  Json& resolver_value = resolver_object_for_update(resolver);
  Json* existing = find_member(resolver_value, "Account");
  if (existing == nullptr || existing->is_null()) {
    set_member(resolver_value, "Account", new_account_object(), false);
    existing = find_member(resolver_value, "Account");
  }
  write_account(*existing, account);
}

void AcmeJsonDocument::set_certificate(const std::string& resolver, const CertificateRecord& cert) {
  if (cert.main.empty()) {
    throw Error(ErrorKind::invalid_input, "a certificate to store needs a main domain name");
  }
  Json& entries = certificates_for_update(resolver);
  const auto& same_name = entries_named(resolver, cert.main);
  if (!same_name.empty()) {
    // In place: positions and the (case-insensitive) main name stay, so the index holds.
    write_certificate(entries[same_name.front()], cert);
    return;
  }
  Json entry = new_certificate_object();
  write_certificate(entry, cert);
  entries.push_back(std::move(entry));
  name_index_[resolver][core::ascii_lower(cert.main)].push_back(entries.size() - 1);
}

bool AcmeJsonDocument::remove_certificate(const std::string& resolver, std::string_view main) {
  if (main.empty() || resolver_object(resolver) == nullptr) return false;
  Json* entries = find_member(root_[resolver], "Certificates");
  if (entries == nullptr || entries->is_null()) return false;
  name_index_.erase(resolver);  // positions after a removed entry move
  auto& array = entries->get_ref<Json::array_t&>();
  const auto old_size = array.size();
  array.erase(std::remove_if(array.begin(), array.end(),
                             [main](const Json& entry) {
                               return core::equal_ignoring_ascii_case(certificate_main(entry),
                                                                      main);
                             }),
              array.end());
  return array.size() != old_size;
}

const Json* AcmeJsonDocument::orders(const std::string& resolver) const {
  const Json* resolver_value = resolver_object(resolver);
  if (resolver_value == nullptr) return nullptr;
  const Json* own = find_member(*resolver_value, kOwnMember);
  if (own == nullptr || !own->is_object()) return nullptr;
  const Json* list = find_member(*own, kOrders);
  return list != nullptr && list->is_array() ? list : nullptr;
}

std::optional<PendingOrder> AcmeJsonDocument::pending_order(const std::string& resolver,
                                                            std::string_view main) const {
  const Json* list = orders(resolver);
  if (list == nullptr || main.empty()) return std::nullopt;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& order = (*list)[i];
    if (!core::equal_ignoring_ascii_case(order_main(order), main)) continue;
    return read_pending_order(order, place(resolver) + ", acmecpp.orders[" + std::to_string(i) +
                                         "] (" + std::string(main) + ")");
  }
  return std::nullopt;
}

void AcmeJsonDocument::set_pending_order(const std::string& resolver, const PendingOrder& order) {
  Json object = pending_order_json(order);
  Json& resolver_value = resolver_object_for_update(resolver);
  Json* own = find_member(resolver_value, kOwnMember);
  if (own == nullptr || !own->is_object()) {
    set_member(resolver_value, kOwnMember, Json::object(), false);
    own = find_member(resolver_value, kOwnMember);
  }
  Json* list = find_member(*own, kOrders);
  if (list == nullptr || !list->is_array()) {
    set_member(*own, kOrders, Json::array(), false);
    list = find_member(*own, kOrders);
  }
  for (Json& kept : *list) {
    if (core::equal_ignoring_ascii_case(order_main(kept), order.main())) {
      kept = std::move(object);
      return;
    }
  }
  list->push_back(std::move(object));
}

bool AcmeJsonDocument::remove_pending_order(const std::string& resolver, std::string_view main) {
  if (orders(resolver) == nullptr || main.empty()) return false;
  Json& own = *find_member(root_[resolver], kOwnMember);
  auto& array = find_member(own, kOrders)->get_ref<Json::array_t&>();
  const auto old_size = array.size();
  array.erase(std::remove_if(array.begin(), array.end(),
                             [main](const Json& order) {
                               return core::equal_ignoring_ascii_case(order_main(order), main);
                             }),
              array.end());
  if (array.size() == old_size) return false;
  if (array.empty()) erase_member(own, kOrders);
  if (own.empty()) erase_member(root_[resolver], kOwnMember);
  return true;
}

std::string AcmeJsonDocument::server(const std::string& resolver) const {
  const Json* resolver_value = resolver_object(resolver);
  if (resolver_value == nullptr) return {};
  const Json* own = find_member(*resolver_value, kOwnMember);
  if (own == nullptr || !own->is_object()) return {};
  const Json* url = find_member(*own, kServer);
  if (url == nullptr || url->is_null()) return {};
  if (!url->is_string()) throw layout_error(place(resolver), "acmecpp.server must be a string");
  return url->get<std::string>();
}

void AcmeJsonDocument::set_server(const std::string& resolver, const std::string& url) {
  Json& resolver_value = resolver_object_for_update(resolver);
  Json* own = find_member(resolver_value, kOwnMember);
  if (own == nullptr || !own->is_object()) {
    set_member(resolver_value, kOwnMember, Json::object(), false);
    own = find_member(resolver_value, kOwnMember);
  }
  set_member(*own, kServer, Json(url), false);
}

std::string AcmeJsonDocument::text() const {
  return serialize_acme_json(root_);
}

}  // namespace acmecpp::store
