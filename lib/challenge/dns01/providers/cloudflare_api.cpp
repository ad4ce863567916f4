// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/providers/cloudflare_api.hpp"

#include <cstdio>
#include <utility>

#include "acmecpp/printable.hpp"

namespace acmecpp::dns01::cloudflare {
namespace {

/// How much of a body that is not Cloudflare's envelope goes into a message (an HTML error page
/// from a proxy can be long).
constexpr std::size_t kBodyExcerptChars = 200;

bool is_success_status(long status) {
  return status >= 200 && status < 300;
}

std::string replace_all(std::string text, const std::string& needle,
                        const std::string& replacement) {
  if (needle.empty()) return text;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + replacement.size())) {
    text.replace(at, needle.size(), replacement);
  }
  return text;
}

/// "9109 Invalid access token", followed by the error chain in brackets when there is one.
std::string describe_error(const nlohmann::json& error) {
  if (!error.is_object()) return error.dump();
  std::string text;
  if (error.contains("code")) text += error["code"].dump() + " ";
  text += error.value("message", std::string("(no message)"));
  const auto chain = error.find("error_chain");
  if (chain != error.end() && chain->is_array() && !chain->empty()) {
    text += " [";
    for (std::size_t i = 0; i < chain->size(); ++i) {
      if (i > 0) text += "; ";
      text += describe_error((*chain)[i]);
    }
    text += "]";
  }
  return text;
}

/// Every error of the envelope, "; "-separated; empty when it lists none.
std::string describe_errors(const nlohmann::json& envelope) {
  const auto errors = envelope.find("errors");
  if (errors == envelope.end() || !errors->is_array()) return {};
  std::string text;
  for (const nlohmann::json& error : *errors) {
    if (!text.empty()) text += "; ";
    text += describe_error(error);
  }
  return text;
}

int first_error_code(const nlohmann::json& envelope) {
  const auto errors = envelope.find("errors");
  if (errors == envelope.end() || !errors->is_array() || errors->empty()) return 0;
  const nlohmann::json& first = errors->front();
  if (!first.is_object() || !first.contains("code") || !first["code"].is_number_integer()) {
    return 0;
  }
  return first["code"].get<int>();
}

/// Newer API answers (e.g. to DELETE) may leave "success" out; the status then decides.
bool envelope_says_success(const nlohmann::json& envelope, long status) {
  const auto success = envelope.find("success");
  if (success != envelope.end() && success->is_boolean()) return success->get<bool>();
  return is_success_status(status);
}

}  // namespace

Api::Api(std::shared_ptr<http::HttpClient> http, std::string base_url, std::string api_token)
    : http_(std::move(http)), base_url_(std::move(base_url)), api_token_(std::move(api_token)) {}

template <typename Send>
nlohmann::json Api::call(const std::string& doing, Send send) const {
  http::Response response;
  try {
    response = send();
  } catch (const Error& error) {  // unreachable, timed out: the transport's own words
    fail(doing + ": " + error.what());
  }
  return result_of(response, doing);
}

nlohmann::json Api::get(const std::string& path, const std::string& doing) const {
  return call(doing, [&] { return http_->get(base_url_ + path, headers(false)); });
}

nlohmann::json Api::post(const std::string& path, const nlohmann::json& body,
                         const std::string& doing) const {
  return call(doing, [&] { return http_->post(base_url_ + path, body.dump(), headers(true)); });
}

nlohmann::json Api::del(const std::string& path, const std::string& doing) const {
  return call(doing, [&] { return http_->del(base_url_ + path, headers(false)); });
}

http::Headers Api::headers(bool with_json_body) const {
  http::Headers list = {{"Authorization", "Bearer " + api_token_}, {"Accept", "application/json"}};
  if (with_json_body) list.emplace_back("Content-Type", "application/json");
  return list;
}

nlohmann::json Api::result_of(const http::Response& response, const std::string& doing) const {
  const std::string status = "HTTP " + std::to_string(response.status);
  const nlohmann::json envelope = nlohmann::json::parse(response.body, nullptr, false);
  if (!envelope.is_object()) {
    fail(doing + " failed (" + status + "): the answer is not Cloudflare's JSON envelope: " +
         response.body.substr(0, kBodyExcerptChars));
  }
  if (!envelope_says_success(envelope, response.status) || !is_success_status(response.status)) {
    const std::string errors = describe_errors(envelope);
    fail(doing + " failed (" + status + ")" + (errors.empty() ? "" : ": " + errors),
         first_error_code(envelope));
  }
  const auto result = envelope.find("result");
  return result == envelope.end() ? nlohmann::json() : *result;
}

void Api::fail(const std::string& message, int first_code) const {
  // A server (or a proxy in between) might echo the Authorization header back.
  // The message holds what the server said: escaped and bounded (printable.hpp).
  throw ApiError(printable_text(replace_all("cloudflare: " + message, api_token_, "<api token>"),
                                kPrintableLineLimit),
                 first_code);
}

std::string url_escape(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                            (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~';
    if (unreserved) {
      escaped += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", byte);
      escaped += hex;
    }
  }
  return escaped;
}

}  // namespace acmecpp::dns01::cloudflare
