#include "store/json_members.hpp"

#include <algorithm>

namespace acmecpp::store {
namespace {

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

template <typename JsonRef>
auto* find_last_member(JsonRef& object, std::string_view name) {
  using Result = decltype(&object);
  Result found = nullptr;
  if (!object.is_object()) return found;
  for (auto& member : object.items()) {
    if (equal_ignoring_case(member.key(), name)) found = &member.value();
  }
  return found;
}

}  // namespace

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

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
