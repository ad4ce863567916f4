// SPDX-License-Identifier: Apache-2.0
#include "store/json_members.hpp"

#include "core/ascii.hpp"

namespace acmecpp::store {
namespace {

template <typename JsonRef>
auto* find_last_member(JsonRef& object, std::string_view name) {
  using Result = decltype(&object);
  Result found = nullptr;
  if (!object.is_object()) return found;
  for (auto& member : object.items()) {
    if (core::equal_ignoring_ascii_case(member.key(), name)) found = &member.value();
  }
  return found;
}

}  // namespace

const Json* find_member(const Json& object, std::string_view name) {
  return find_last_member(object, name);
}

Json* find_member(Json& object, std::string_view name) {
  return find_last_member(object, name);
}

void set_member(Json& object, std::string_view name, Json value, bool is_empty) {
  Json* member = find_member(object, name);
  if (member == nullptr) {
    if (!is_empty) object[std::string(name)] = std::move(value);
    return;
  }
  if (is_empty && member->is_null()) return;
  *member = std::move(value);
}

}  // namespace acmecpp::store
