// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "acme/http_headers.hpp"
#include "acme/resources.hpp"
#include "core/json_depth.hpp"

using namespace acmecpp;
using namespace acmecpp::acme;

TEST_CASE("problem documents keep type, detail, status and subproblems") {
  const auto doc = nlohmann::json::parse(R"({
    "type": "urn:ietf:params:acme:error:rejectedIdentifier",
    "detail": "Some of the identifiers requested were rejected",
    "status": 400,
    "subproblems": [
      {"type": "urn:ietf:params:acme:error:malformed", "detail": "Invalid underscore in DNS name \"_example.org\"",
       "identifier": {"type": "dns", "value": "_example.org"}},
      {"type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "This CA will not issue for \"example.net\"",
       "identifier": {"type": "dns", "value": "example.net"}}
    ]})");
  const Problem p = parse_problem(doc, 403);
  CHECK(p.status == 400);
  CHECK(p.is("rejectedIdentifier"));
  CHECK(p.is("urn:ietf:params:acme:error:rejectedIdentifier"));
  CHECK_FALSE(p.is("malformed"));
  REQUIRE(p.subproblems.size() == 2);
  CHECK(p.subproblems[0].identifier == "dns:_example.org");
  CHECK(p.subproblems[1].detail == "This CA will not issue for \"example.net\"");
  CHECK(p.summary().find("dns:example.net: urn:ietf:params:acme:error:rejectedIdentifier") !=
        std::string::npos);
  const AcmeError error("new order", p);
  CHECK(error.kind() == ErrorKind::server_problem);
  CHECK(std::string(error.what())
            .rfind("new order: urn:ietf:params:acme:error:rejectedIdentifier", 0) == 0);
}

TEST_CASE("a non-JSON error body becomes a readable problem") {
  const Problem p = problem_from_body("<html>\nBad Gateway</html>", 502);
  CHECK(p.status == 502);
  CHECK(p.detail == "HTTP 502: <html> Bad Gateway</html>");
  CHECK_FALSE(p.is("badNonce"));
}

TEST_CASE("directory, order and authorization parse, missing members are named") {
  const auto dir = parse_directory(nlohmann::json::parse(R"({
    "newNonce": "https://ca/nonce", "newAccount": "https://ca/acct", "newOrder": "https://ca/order",
    "revokeCert": "https://ca/revoke", "keyChange": "https://ca/key", "renewalInfo": "https://ca/ari",
    "meta": {"termsOfService": "https://ca/tos", "externalAccountRequired": true,
             "profiles": {"classic": "x", "shortlived": "y"}}})"));
  CHECK(dir.new_order == "https://ca/order");
  CHECK(dir.renewal_info == "https://ca/ari");
  CHECK(dir.external_account_required);
  CHECK(dir.profiles == std::vector<std::string>{"classic", "shortlived"});
  CHECK_THROWS_WITH_AS(
      parse_directory(nlohmann::json::parse(R"({"newNonce": "x", "newAccount": "y"})")),
      "directory has no string member \"newOrder\"", Error);

  const auto order = parse_order(nlohmann::json::parse(R"({
    "status": "invalid", "identifiers": [{"type": "dns", "value": "a.example"}],
    "authorizations": ["https://ca/authz/1"], "finalize": "https://ca/finalize/1",
    "error": {"type": "urn:ietf:params:acme:error:unauthorized", "detail": "no"}})"),
                                 "https://ca/order/1");
  CHECK(order.status == "invalid");
  CHECK(order.identifiers.at(0).value == "a.example");
  REQUIRE(order.error.has_value());
  CHECK(order.error->is("unauthorized"));

  const auto authz = parse_authorization(nlohmann::json::parse(R"({
    "status": "pending", "identifier": {"type": "dns", "value": "example.org"}, "wildcard": true,
    "challenges": [{"type": "dns-01", "url": "https://ca/chall/1", "status": "pending", "token": "tok"},
                   {"type": "http-01", "url": "https://ca/chall/2", "status": "pending", "token": "tok2"}]})"),
                                         "https://ca/authz/1");
  CHECK(authz.wildcard);
  REQUIRE(authz.find_challenge("dns-01") != nullptr);
  CHECK(authz.find_challenge("dns-01")->token == "tok");
  CHECK(authz.find_challenge("tls-alpn-01") == nullptr);
  CHECK_THROWS_AS(parse_json_body("not json", "order x"), Error);
}

TEST_CASE("JSON nesting is measured without parsing, brackets inside strings not counted") {
  CHECK_FALSE(core::json_nesting_beyond(R"({"a": [{"b": "[[[[[[["}]})", 3).has_value());
  CHECK(core::json_nesting_beyond(R"({"a": [{"b": [1]}]})", 3) == std::size_t(13));
  CHECK_FALSE(core::json_nesting_beyond(R"({"a": "\"[[[[", "b": []})", 2).has_value());
}

TEST_CASE("a CA answer nested deeper than 64 levels is refused before it is parsed") {
  // 8 MiB, the transport's bound for an answer; parsed, it would cost some 300 MB.
  const std::string deep = std::string(4 * 1024 * 1024, '[') + std::string(4 * 1024 * 1024, ']');
  try {
    parse_json_body(deep, "order x");
    FAIL("a deeply nested answer was parsed");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::protocol);
    CHECK(std::string(e.what()) ==
          "order x: response nests JSON deeper than 64 levels (at byte 65)");
  }
  // An error answer as deep is no problem document: it is reported by its status and start.
  const Problem problem = problem_from_body(deep, 500);
  CHECK(problem.type == "about:blank");
  CHECK(problem.detail.rfind("HTTP 500: [[[", 0) == 0);
  // 64 levels are fine.
  const std::string fine = std::string(63, '[') + R"({"status": "valid"})" + std::string(63, ']');
  CHECK(parse_json_body(fine, "order x").is_array());
}

TEST_CASE("Link headers: alternates among several links and header lines") {
  const std::vector<std::string> headers = {
      R"(<https://ca/dir>;rel="index", <https://ca/cert/1/1>; rel="alternate")",
      R"(<https://ca/cert/1/2>;rel=alternate)", R"(<https://ca/x,y>; rel="up alternate")"};
  CHECK(links_with_rel(headers, "alternate") ==
        std::vector<std::string>{"https://ca/cert/1/1", "https://ca/cert/1/2", "https://ca/x,y"});
  CHECK(links_with_rel(headers, "index") == std::vector<std::string>{"https://ca/dir"});
  CHECK(links_with_rel(headers, "next").empty());
}

TEST_CASE("Retry-After as seconds or HTTP-date") {
  using std::chrono::seconds;
  CHECK(parse_retry_after("120") == seconds(120));
  CHECK(parse_retry_after(" 0 ") == seconds(0));
  const auto now =
      std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now) == seconds(60));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:40:00 GMT", now) == seconds(0));
  CHECK_FALSE(parse_retry_after("soon").has_value());
  CHECK_FALSE(parse_retry_after("").has_value());
}

TEST_CASE("an order whose authorizations are missing or not an array of strings is refused") {
  for (const char* authorizations : {R"("authorizations": "all of them",)",
                                     R"("authorizations": ["https://ca/authz/1", 7],)", ""}) {
    CAPTURE(authorizations);
    const auto json =
        nlohmann::json::parse(std::string(R"({"status": "pending", )") + authorizations +
                              R"( "finalize": "https://ca/finalize/1"})");
    CHECK_THROWS_WITH_AS(parse_order(json, "https://ca/order/1"),
                         "order at https://ca/order/1 has no member \"authorizations\" that is an "
                         "array of strings",
                         Error);
  }
}
