// SPDX-License-Identifier: Apache-2.0
#include "store/json_members.hpp"

#include "core/ascii.hpp"
#include "core/rfc3339.hpp"

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

Error member_error(const std::string& place, std::string_view member, const char* problem) {
  return Error(ErrorKind::storage, place + ": field \"" + std::string(member) + "\" " + problem);
}

std::string string_at(const Json& object, std::string_view name, const std::string& place) {
  const Json* member = find_member(object, name);
  if (member == nullptr || member->is_null()) return {};
  if (!member->is_string()) throw member_error(place, name, "must be a string");
  return member->get<std::string>();
}

std::optional<std::chrono::system_clock::time_point> time_at(const Json& object,
                                                             std::string_view name,
                                                             const std::string& place) {
  const std::string text = string_at(object, name, place);
  if (text.empty()) return std::nullopt;
  const auto time = core::parse_rfc3339(text);
  if (!time) throw member_error(place, name, "is not an RFC 3339 time");
  return time;
}

void put_string(Json& object, const char* name, const std::string& value) {
  if (!value.empty()) object[name] = value;
}

void put_time(Json& object, const char* name,
              const std::optional<std::chrono::system_clock::time_point>& time) {
  if (time) object[name] = core::format_rfc3339(*time);
}

}  // namespace acmecpp::store
