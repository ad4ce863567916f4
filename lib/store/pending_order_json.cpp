// SPDX-License-Identifier: Apache-2.0
#include "store/pending_order_json.hpp"

#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "store/json_members.hpp"

namespace acmecpp::store {
namespace {

std::vector<std::string> names_at(const Json& object, const std::string& place) {
  const Json* member = find_member(object, "names");
  std::vector<std::string> names;
  if (member == nullptr || member->is_null()) return names;
  if (!member->is_array()) throw member_error(place, "names", "must be an array of strings");
  for (const Json& name : *member) {
    if (!name.is_string()) throw member_error(place, "names", "must be an array of strings");
    names.push_back(name.get<std::string>());
  }
  return names;
}

}  // namespace

PendingOrder read_pending_order(const Json& object, const std::string& place) {
  if (!object.is_object()) throw Error(ErrorKind::storage, place + ": must be an object");
  PendingOrder order;
  order.order_url = string_at(object, "url", place);
  order.names = names_at(object, place);
  order.account_url = string_at(object, "account", place);
  try {
    order.key_pem = core::base64_decode(string_at(object, "key", place));
  } catch (const Error&) {
    throw member_error(place, "key", "is not valid base64");  // never the (secret) text
  }
  order.profile = string_at(object, "profile", place);
  order.replaces = string_at(object, "replaces", place);
  order.created = time_at(object, "created", place);
  order.expires = time_at(object, "expires", place);
  return order;
}

Json pending_order_json(const PendingOrder& order) {
  if (order.names.empty()) {
    throw Error(ErrorKind::invalid_input, "an order to keep needs its names");
  }
  Json object = Json::object();
  put_string(object, "url", order.order_url);
  object["names"] = order.names;
  put_string(object, "account", order.account_url);
  put_string(object, "key", core::base64_encode(order.key_pem));
  put_string(object, "profile", order.profile);
  put_string(object, "replaces", order.replaces);
  put_time(object, "created", order.created);
  put_time(object, "expires", order.expires);
  return object;
}

}  // namespace acmecpp::store
