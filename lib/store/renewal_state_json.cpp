// SPDX-License-Identifier: Apache-2.0
#include "store/renewal_state_json.hpp"

#include <algorithm>
#include <climits>

#include "acmecpp/error.hpp"
#include "core/ascii.hpp"
#include "core/rfc3339.hpp"
#include "core/system_time.hpp"
#include "store/json_members.hpp"

namespace acmecpp::store {
namespace {

constexpr std::string_view kMember = "acmecpp";

const Json* object_at(const Json& object, std::string_view name, const std::string& place) {
  const Json* member = find_member(object, name);
  if (member == nullptr || member->is_null()) return nullptr;
  if (!member->is_object()) throw member_error(place, name, "must be an object");
  return member;
}

std::optional<long long> integer_at(const Json& object, std::string_view name,
                                    const std::string& place) {
  const Json* member = find_member(object, name);
  if (member == nullptr || member->is_null()) return std::nullopt;
  if (!member->is_number_integer()) throw member_error(place, name, "must be an integer");
  // Above LLONG_MAX: read as the largest, not wrapped into a negative number.
  if (member->is_number_unsigned() && member->get<unsigned long long>() > LLONG_MAX) {
    return LLONG_MAX;
  }
  return member->get<long long>();
}

void read_ari(const Json& ari, const std::string& place, RenewalState& state) {
  state.ari_cert_id = string_at(ari, "certID", place);
  state.ari_window_start = time_at(ari, "windowStart", place);
  state.ari_window_end = time_at(ari, "windowEnd", place);
  state.ari_selected_time = time_at(ari, "selectedTime", place);
  state.ari_checked_at = time_at(ari, "checkedAt", place);
  if (const auto seconds = integer_at(ari, "retryAfterSeconds", place)) {
    // As a Retry-After header is read (acme/http_headers.cpp): at most core::kLongestWait.
    state.ari_retry_after =
        std::chrono::seconds(std::clamp<long long>(*seconds, 0, core::kLongestWait.count()));
  }
  state.ari_explanation_url = string_at(ari, "explanationURL", place);
}

void read_failures(const Json& failures, const std::string& place, RenewalState& state) {
  const long long count = integer_at(failures, "count", place).value_or(0);
  state.failed_attempts = static_cast<int>(std::clamp<long long>(count, 0, INT_MAX));
  state.last_failure = time_at(failures, "last", place);
  state.last_error = string_at(failures, "lastError", place);
  state.retry_not_before = time_at(failures, "retryNotBefore", place);
}

/// "settings": each member a string or an array of strings.
void read_settings(const Json& settings, const std::string& place, RenewalState& state) {
  for (auto it = settings.begin(); it != settings.end(); ++it) {
    std::vector<std::string> values;
    if (it->is_string()) {
      values.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const auto& value : *it) {
        if (!value.is_string()) throw member_error(place, it.key(), "must hold strings only");
        values.push_back(value.get<std::string>());
      }
    } else {
      throw member_error(place, it.key(), "must be a string or an array of strings");
    }
    state.settings[it.key()] = std::move(values);
  }
}

Json settings_json(const RenewalState& state) {
  Json settings = Json::object();
  for (const auto& [name, values] : state.settings) {
    if (values.size() == 1) {
      settings[name] = values.front();
    } else {
      settings[name] = values;
    }
  }
  return settings;
}

Json ari_json(const RenewalState& state) {
  Json ari = Json::object();
  put_string(ari, "certID", state.ari_cert_id);
  put_time(ari, "windowStart", state.ari_window_start);
  put_time(ari, "windowEnd", state.ari_window_end);
  put_time(ari, "selectedTime", state.ari_selected_time);
  put_time(ari, "checkedAt", state.ari_checked_at);
  if (state.ari_retry_after) ari["retryAfterSeconds"] = state.ari_retry_after->count();
  put_string(ari, "explanationURL", state.ari_explanation_url);
  return ari;
}

Json failures_json(const RenewalState& state) {
  Json failures = Json::object();
  if (state.failed_attempts != 0) failures["count"] = state.failed_attempts;
  put_time(failures, "last", state.last_failure);
  put_string(failures, "lastError", state.last_error);
  put_time(failures, "retryNotBefore", state.retry_not_before);
  return failures;
}

void erase_member(Json& entry) {
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (core::equal_ignoring_ascii_case(it.key(), kMember)) {
      entry.erase(it);
      return;
    }
  }
}

}  // namespace

RenewalState read_renewal_state(const Json& entry, const std::string& place) {
  RenewalState state;
  const Json* member = find_member(entry, kMember);
  if (member == nullptr || member->is_null()) return state;
  if (!member->is_object()) throw member_error(place, kMember, "must be an object");
  const std::string member_place = place + ", " + std::string(kMember);
  if (const Json* ari = object_at(*member, "ari", member_place)) {
    read_ari(*ari, member_place + ".ari", state);
  }
  if (const Json* failures = object_at(*member, "failures", member_place)) {
    read_failures(*failures, member_place + ".failures", state);
  }
  state.profile = string_at(*member, "profile", member_place);
  if (const Json* settings = object_at(*member, "settings", member_place)) {
    read_settings(*settings, member_place + ".settings", state);
  }
  state.account_url = string_at(*member, "account", member_place);
  return state;
}

void write_renewal_state(Json& entry, const RenewalState& state) {
  if (state.empty()) {
    erase_member(entry);
    return;
  }
  Json member = Json::object();
  if (Json ari = ari_json(state); !ari.empty()) member["ari"] = std::move(ari);
  if (Json failures = failures_json(state); !failures.empty()) {
    member["failures"] = std::move(failures);
  }
  put_string(member, "profile", state.profile);
  if (Json settings = settings_json(state); !settings.empty()) {
    member["settings"] = std::move(settings);
  }
  put_string(member, "account", state.account_url);
  set_member(entry, kMember, std::move(member), false);
}

}  // namespace acmecpp::store
