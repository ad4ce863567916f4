// SPDX-License-Identifier: Apache-2.0
#pragma once
// JSON of ACME resources (RFC 8555 section 7.1) to the plain structs of acme_client.hpp.
// Parsers throw Error(protocol) naming the resource and the missing or malformed member.

#include <nlohmann/json.hpp>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/error.hpp"

namespace acmecpp::acme {

/// A problem document (RFC 7807 with ACME's subproblems). `http_status` fills in a missing status.
Problem parse_problem(const nlohmann::json& document, int http_status);
/// Parses a response body that should hold a problem; a non-JSON body becomes its detail.
Problem problem_from_body(const std::string& body, int http_status);

Directory parse_directory(const nlohmann::json& json);
Order parse_order(const nlohmann::json& json, const std::string& url);
Authorization parse_authorization(const nlohmann::json& json, const std::string& url);
Challenge parse_challenge(const nlohmann::json& json);
Account parse_account(const nlohmann::json& json, const std::string& url);
/// An ARI response body (RFC 9773 section 4.2); retry_after is left for the caller to fill in.
RenewalInfo parse_renewal_info(const nlohmann::json& json, const std::string& what);

/// Parses `body` as JSON, or throws Error(protocol) naming `what` (e.g. "order at <url>").
nlohmann::json parse_json_body(const std::string& body, const std::string& what);

}  // namespace acmecpp::acme
