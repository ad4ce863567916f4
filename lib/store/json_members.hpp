// SPDX-License-Identifier: Apache-2.0
#pragma once
// Object members found as Go's encoding/json finds struct fields: by name, ignoring case.
// Traefik reads acme.json with encoding/json, so "account" or "privatekey" are valid spellings;
// acmecpp must read them too and, on rewrite, keep the spelling the file used.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "acmecpp/error.hpp"

#include "store/acme_json_text.hpp"

namespace acmecpp::store {

/// The member of `object` named `name` ignoring case, or nullptr (also when `object` is not an
/// object). Among several matches the last wins, as with encoding/json, which assigns each
/// matching member in turn.
const Json* find_member(const Json& object, std::string_view name);
Json* find_member(Json& object, std::string_view name);

/// Sets a known field in place, keeping the member's spelling and position. `is_empty` says
/// that `value` is what an absent member reads as: then a missing or null member is left as it
/// is, so that rewriting what was read does not change the file. A missing member is otherwise
/// added at the end with the spelling `name`.
void set_member(Json& object, std::string_view name, Json value, bool is_empty);

/// acmecpp's own members (its "acmecpp" objects), read strictly: Error(storage) "PLACE: field
/// "NAME" PROBLEM", never quoting the value.
Error member_error(const std::string& place, std::string_view member, const char* problem);
/// A string member; absent or null read as "".
std::string string_at(const Json& object, std::string_view name, const std::string& place);
/// An RFC 3339 time member; absent, null or "" read as nullopt.
std::optional<std::chrono::system_clock::time_point> time_at(const Json& object,
                                                             std::string_view name,
                                                             const std::string& place);
/// Writing them: an empty string or an unset time is left out.
void put_string(Json& object, const char* name, const std::string& value);
void put_time(Json& object, const char* name,
              const std::optional<std::chrono::system_clock::time_point>& time);

}  // namespace acmecpp::store
