// SPDX-License-Identifier: Apache-2.0
#pragma once
// The part of Cloudflare's API v4 the DNS provider needs, spoken over the project's transport:
// bearer-token requests and the JSON envelope every answer comes in,
//   {"success": bool, "errors": [{"code": n, "message": "...", "error_chain": [...]}],
//    "messages": [...], "result": ...}
// Failures become ChallengeError with Cloudflare's codes and messages; the token is never part
// of a message (it is scrubbed even from what the server sends back).

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "acmecpp/error.hpp"
#include "http/http_client.hpp"

namespace acmecpp::dns01::cloudflare {

/// Cloudflare's code for deleting a record that is not there (any more).
constexpr int kRecordDoesNotExist = 81044;

/// A failed call: Cloudflare's first error code (0 when it sent none) and the whole message.
class ApiError : public ChallengeError {
 public:
  ApiError(const std::string& message, int first_code)
      : ChallengeError(message), first_code_(first_code) {}
  int first_code() const noexcept { return first_code_; }

 private:
  int first_code_;
};

class Api {
 public:
  /// `base_url` without a trailing slash, e.g. "https://api.cloudflare.com/client/v4".
  Api(std::shared_ptr<http::HttpClient> http, std::string base_url, std::string api_token);

  /// Each returns the envelope's "result". `path` starts with '/' and is already escaped;
  /// `doing` says what the call is for ("creating TXT record at x"), for messages.
  /// Throw ApiError when the server is unreachable, answers outside 2xx, says success: false,
  /// or sends something that is not the envelope.
  nlohmann::json get(const std::string& path, const std::string& doing) const;
  nlohmann::json post(const std::string& path, const nlohmann::json& body,
                      const std::string& doing) const;
  nlohmann::json del(const std::string& path, const std::string& doing) const;

 private:
  template <typename Send>
  nlohmann::json call(const std::string& doing, Send send) const;
  http::Headers headers(bool with_json_body) const;
  nlohmann::json result_of(const http::Response& response, const std::string& doing) const;
  [[noreturn]] void fail(const std::string& message, int first_code = 0) const;

  std::shared_ptr<http::HttpClient> http_;
  std::string base_url_;
  std::string api_token_;
};

/// Percent-encodes everything but RFC 3986's unreserved characters, for query values and path
/// segments.
std::string url_escape(const std::string& text);

}  // namespace acmecpp::dns01::cloudflare
