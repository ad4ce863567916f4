// SPDX-License-Identifier: Apache-2.0
#include "acme/resources.hpp"

#include <algorithm>

#include "acme/https_url.hpp"
#include "core/json_depth.hpp"
#include "core/rfc3339.hpp"
#include "core/system_time.hpp"

namespace acmecpp::acme {
namespace {

// ACME resources nest a few levels (a problem's subproblems' identifiers: 4). A CA's answer is at
// most 8 MiB (the transport's bound), but 8 MiB of "[[[[..." parsed costs some 300 MB: answers
// nested deeper than this are refused before they are parsed.
constexpr std::size_t kMaxJsonNesting = 64;

bool too_deep(const std::string& body) {
  return core::json_nesting_beyond(body, kMaxJsonNesting).has_value();
}

std::string string_member(const nlohmann::json& json, const char* name) {
  const auto it = json.find(name);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string required_string(const nlohmann::json& json, const char* name, const std::string& what) {
  const auto it = json.find(name);
  if (it == json.end() || !it->is_string()) {
    throw Error(ErrorKind::protocol, what + " has no string member \"" + name + "\"");
  }
  return it->get<std::string>();
}

std::vector<std::string> string_array(const nlohmann::json& json, const char* name) {
  std::vector<std::string> values;
  const auto it = json.find(name);
  if (it == json.end() || !it->is_array()) return values;
  for (const auto& v : *it) {
    if (v.is_string()) values.push_back(v.get<std::string>());
  }
  return values;
}

/// An array of strings the protocol needs (RFC 8555 marks it required): absent, another type, or
/// an element that is no string is an error naming the member.
std::vector<std::string> required_string_array(const nlohmann::json& json, const char* name,
                                               const std::string& what) {
  const auto it = json.find(name);
  const bool strings =
      it != json.end() && it->is_array() &&
      std::all_of(it->begin(), it->end(), [](const auto& v) { return v.is_string(); });
  if (!strings) {
    throw Error(ErrorKind::protocol,
                what + " has no member \"" + name + "\" that is an array of strings");
  }
  return it->get<std::vector<std::string>>();
}

void require_object(const nlohmann::json& json, const std::string& what) {
  if (!json.is_object()) throw Error(ErrorKind::protocol, what + " is not a JSON object");
}

std::optional<Problem> optional_problem(const nlohmann::json& json) {
  const auto it = json.find("error");
  if (it == json.end() || !it->is_object()) return std::nullopt;
  return parse_problem(*it, 0);
}

Identifier parse_identifier(const nlohmann::json& json) {
  Identifier id;
  if (json.is_object()) {
    id.type = string_member(json, "type");
    id.value = string_member(json, "value");
  }
  return id;
}

}  // namespace

Problem parse_problem(const nlohmann::json& document, int http_status) {
  Problem problem;
  problem.status = http_status;
  if (!document.is_object()) return problem;
  problem.type = string_member(document, "type");
  problem.detail = string_member(document, "detail");
  if (const auto it = document.find("status"); it != document.end() && it->is_number_integer()) {
    problem.status = it->get<int>();
  }
  if (const auto it = document.find("identifier"); it != document.end() && it->is_object()) {
    const Identifier id = parse_identifier(*it);
    problem.identifier = id.type + ":" + id.value;
  }
  if (const auto it = document.find("subproblems"); it != document.end() && it->is_array()) {
    for (const auto& sub : *it) problem.subproblems.push_back(parse_problem(sub, 0));
  }
  return problem;
}

Problem problem_from_body(const std::string& body, int http_status) {
  const auto json = too_deep(body) ? nlohmann::json(nlohmann::json::value_t::discarded)
                                   : nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("type")) return parse_problem(json, http_status);
  Problem problem;
  problem.status = http_status;
  problem.type = "about:blank";
  // A non-problem error body (a proxy's HTML page, say): keep a short, printable excerpt.
  std::string excerpt = body.substr(0, 200);
  for (auto& c : excerpt) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  problem.detail = "HTTP " + std::to_string(http_status) + (excerpt.empty() ? "" : ": " + excerpt);
  return problem;
}

Directory parse_directory(const nlohmann::json& json) {
  require_object(json, "directory");
  Directory d;
  d.new_nonce = required_string(json, "newNonce", "directory");
  d.new_account = required_string(json, "newAccount", "directory");
  d.new_order = required_string(json, "newOrder", "directory");
  d.revoke_cert = string_member(json, "revokeCert");
  d.key_change = string_member(json, "keyChange");
  d.new_authz = string_member(json, "newAuthz");
  d.renewal_info = string_member(json, "renewalInfo");
  for (const auto& [name, url] :
       {std::pair<const char*, const std::string&>{"newNonce", d.new_nonce},
        {"newAccount", d.new_account},
        {"newOrder", d.new_order},
        {"revokeCert", d.revoke_cert},
        {"keyChange", d.key_change},
        {"newAuthz", d.new_authz},
        {"renewalInfo", d.renewal_info}}) {
    require_https_url(url, std::string("the directory's ") + name);
  }
  if (const auto meta = json.find("meta"); meta != json.end() && meta->is_object()) {
    d.terms_of_service = string_member(*meta, "termsOfService");
    d.website = string_member(*meta, "website");
    d.caa_identities = string_array(*meta, "caaIdentities");
    if (const auto it = meta->find("externalAccountRequired");
        it != meta->end() && it->is_boolean()) {
      d.external_account_required = it->get<bool>();
    }
    if (const auto it = meta->find("profiles"); it != meta->end() && it->is_object()) {
      for (const auto& item : it->items()) d.profiles.push_back(item.key());
    }
  }
  return d;
}

Order parse_order(const nlohmann::json& json, const std::string& url) {
  const std::string what = "order" + (url.empty() ? std::string() : " at " + url);
  require_object(json, what);
  Order order;
  order.url = url;
  order.status = required_string(json, "status", what);
  if (const auto it = json.find("identifiers"); it != json.end() && it->is_array()) {
    for (const auto& id : *it) order.identifiers.push_back(parse_identifier(id));
  }
  order.authorizations = required_string_array(json, "authorizations", what);
  order.finalize = required_string(json, "finalize", what);
  order.certificate = string_member(json, "certificate");
  // Optional; a time that does not parse is treated as absent (the CA's 404 says it is gone).
  if (const std::string expires = string_member(json, "expires"); !expires.empty()) {
    order.expires = core::parse_rfc3339(expires);
  }
  for (const auto& authorization : order.authorizations) {
    require_https_url(authorization, "an authorization of the " + what);
  }
  require_https_url(order.finalize, "the finalize URL of the " + what);
  require_https_url(order.certificate, "the certificate URL of the " + what);
  order.error = optional_problem(json);
  return order;
}

Challenge parse_challenge(const nlohmann::json& json) {
  require_object(json, "challenge");
  Challenge c;
  c.type = required_string(json, "type", "challenge");
  c.url = require_https_url(required_string(json, "url", "challenge"), "a challenge's URL");
  c.status = string_member(json, "status");
  c.token = string_member(json, "token");
  c.error = optional_problem(json);
  return c;
}

Authorization parse_authorization(const nlohmann::json& json, const std::string& url) {
  const std::string what = "authorization at " + url;
  require_object(json, what);
  Authorization a;
  a.url = url;
  a.status = required_string(json, "status", what);
  if (const auto it = json.find("identifier"); it != json.end())
    a.identifier = parse_identifier(*it);
  if (const auto it = json.find("wildcard"); it != json.end() && it->is_boolean()) {
    a.wildcard = it->get<bool>();
  }
  if (const auto it = json.find("challenges"); it != json.end() && it->is_array()) {
    for (const auto& c : *it) a.challenges.push_back(parse_challenge(c));
  }
  return a;
}

Account parse_account(const nlohmann::json& json, const std::string& url) {
  Account account;
  account.url = url;
  if (json.is_object()) {
    account.status = string_member(json, "status");
    account.contact = string_array(json, "contact");
    account.body_json = json.dump();
  }
  return account;
}

namespace {

std::chrono::system_clock::time_point required_time(const nlohmann::json& json, const char* name,
                                                    const std::string& what) {
  const std::string text = required_string(json, name, what);
  const auto time = core::parse_rfc3339(text);
  if (!time) {
    throw Error(ErrorKind::protocol, what + ": \"" + name + "\" is not an RFC 3339 time: \"" +
                                         text.substr(0, 64) + "\"");
  }
  return *time;
}

}  // namespace

RenewalInfo parse_renewal_info(const nlohmann::json& json, const std::string& what) {
  require_object(json, what);
  const auto window = json.find("suggestedWindow");
  if (window == json.end() || !window->is_object()) {
    throw Error(ErrorKind::protocol, what + " has no object member \"suggestedWindow\"");
  }
  const std::string window_what = what + ", suggestedWindow";
  RenewalInfo info;
  info.window_start = required_time(*window, "start", window_what);
  info.window_end = required_time(*window, "end", window_what);
  // RFC 9773 section 4.2: a window whose end is not after its start is invalid. One wholly
  // beyond 2262 has both ends clamped to the same moment (core/system_time.hpp): it is kept.
  if (info.window_end <= info.window_start && info.window_start != core::latest_time()) {
    throw Error(ErrorKind::protocol, window_what + ": end is not after start");
  }
  const std::string explanation = string_member(json, "explanationURL");
  if (!explanation.empty()) info.explanation_url = explanation;
  return info;
}

nlohmann::json parse_json_body(const std::string& body, const std::string& what) {
  if (const auto deep = core::json_nesting_beyond(body, kMaxJsonNesting)) {
    throw Error(ErrorKind::protocol, what + ": response nests JSON deeper than " +
                                         std::to_string(kMaxJsonNesting) + " levels (at byte " +
                                         std::to_string(*deep + 1) + ")");
  }
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) {
    throw Error(ErrorKind::protocol, what + ": response is not valid JSON");
  }
  return json;
}

}  // namespace acmecpp::acme
