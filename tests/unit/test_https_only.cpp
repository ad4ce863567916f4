// SPDX-License-Identifier: Apache-2.0
// RFC 8555 section 6.1: every ACME request goes over HTTPS. URLs that are not https:// are refused
// where they arrive (the configured directory URL, the directory, orders, challenges, Location and
// Link headers), before anything is sent to them. Real servers on loopback: a TLS one playing the
// CA, and a plain one where an http:// URL points, which must never see a request.

#include <doctest/doctest.h>

#include <atomic>
#include <string>

#include "acme/https_url.hpp"
#include "acme/resources.hpp"
#include "acmecpp/acme_client.hpp"
#include "acmecpp/error.hpp"
#include "support/error_message.hpp"
#include "transport_test_support.hpp"

using namespace acmecpp;
using acmecpp::test::LocalHttpServer;
using acmecpp::test::TestPki;

namespace {

/// The message of the protocol error `action` throws.
template <typename Action>
std::string protocol_error(Action action) {
  return acmecpp::testing::error_message_of(ErrorKind::protocol, action);
}

/// A plain HTTP server counting every request it gets.
struct PlainTarget {
  std::atomic<int> requests{0};  // first: outlives the server that counts into it
  LocalHttpServer server;
  PlainTarget() {
    server.server().set_pre_routing_handler([this](const httplib::Request&, httplib::Response& r) {
      ++requests;
      r.status = 200;
      r.set_header("Replay-Nonce", "plain-nonce");
      return httplib::Server::HandlerResponse::Handled;
    });
    server.start();
  }
};

}  // namespace

TEST_CASE("is_https_url wants the https scheme and a host") {
  CHECK(acme::is_https_url("https://ca.example/dir"));
  CHECK(acme::is_https_url("HTTPS://127.0.0.1:14000/dir"));
  CHECK_FALSE(acme::is_https_url("http://ca.example/dir"));
  CHECK_FALSE(acme::is_https_url("https://"));
  CHECK_FALSE(acme::is_https_url("https:///path"));
  CHECK_FALSE(acme::is_https_url("ftp://ca.example/"));
  CHECK_FALSE(acme::is_https_url("//ca.example/dir"));
  CHECK_FALSE(acme::is_https_url("/acme/new-order"));
  CHECK_FALSE(acme::is_https_url(""));
}

TEST_CASE("resources listing an http:// URL are refused, naming where it was") {
  auto directory = nlohmann::json::parse(R"({"newNonce": "https://ca/nonce",
    "newAccount": "https://ca/acct", "newOrder": "http://ca/order", "revokeCert": "https://ca/r"})");
  CHECK(protocol_error([&] { acme::parse_directory(directory); }) ==
        "the ACME server gave the directory's newOrder as \"http://ca/order\", which is not an "
        "https:// URL (RFC 8555 section 6.1 requires HTTPS); nothing was sent to it");
  directory["newOrder"] = "https://ca/order";
  directory["keyChange"] = "http://ca/key";
  CHECK(protocol_error([&] {
          acme::parse_directory(directory);
        }).find("the directory's keyChange") != std::string::npos);
  directory["keyChange"] = "https://ca/key";
  directory["meta"] = {{"termsOfService", "http://ca/tos.pdf"}};  // a document, not an ACME URL
  CHECK_NOTHROW(acme::parse_directory(directory));

  auto order = nlohmann::json::parse(R"({"status": "pending",
    "authorizations": ["https://ca/authz/1", "http://ca/authz/2"], "finalize": "https://ca/fin"})");
  CHECK(protocol_error([&] {
          acme::parse_order(order, "https://ca/order/1");
        }).find("an authorization of the order at https://ca/order/1 as \"http://ca/authz/2\"") !=
        std::string::npos);
  order["authorizations"] = {"https://ca/authz/1"};
  order["finalize"] = "http://ca/fin";
  CHECK(protocol_error([&] {
          acme::parse_order(order, "https://ca/order/1");
        }).find("the finalize URL") != std::string::npos);
  order["finalize"] = "https://ca/fin";
  order["certificate"] = "http://ca/cert/1";
  CHECK(protocol_error([&] {
          acme::parse_order(order, "https://ca/order/1");
        }).find("the certificate URL") != std::string::npos);

  const auto authorization = nlohmann::json::parse(R"({"status": "pending",
    "identifier": {"type": "dns", "value": "a.example"},
    "challenges": [{"type": "http-01", "url": "http://ca/chall/1", "token": "t"}]})");
  CHECK(protocol_error([&] {
          acme::parse_authorization(authorization, "https://ca/authz/1");
        }).find("a challenge's URL as \"http://ca/chall/1\"") != std::string::npos);
}

TEST_CASE("an http:// directory URL is a configuration error and nothing is sent") {
  PlainTarget plain;
  acme::ClientOptions options;
  options.directory_url = plain.server.url("/dir");
  acme::Client client(options);
  try {
    client.directory();
    FAIL("the http:// directory was used");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::config);
    CHECK(std::string(e.what()) ==
          "the ACME directory URL \"" + options.directory_url +
              "\" is not an https:// URL: RFC 8555 section 6.1 requires HTTPS for every ACME "
              "request");
  }
  CHECK(plain.requests == 0);
  CHECK(client.stats().requests == 0);
}

TEST_CASE("an HTTPS directory listing http:// URLs gets no request sent to them") {
  TestPki pki;
  PlainTarget plain;
  std::atomic<int> ca_requests{0};
  LocalHttpServer ca(
      std::make_unique<httplib::SSLServer>(pki.server_pem().c_str(), pki.server_key().c_str()),
      "https");
  REQUIRE(ca.server().is_valid());
  ca.server().Get("/dir", [&](const httplib::Request&, httplib::Response& r) {
    ++ca_requests;
    r.set_content(nlohmann::json{{"newNonce", plain.server.url("/nonce")},
                                 {"newAccount", plain.server.url("/account")},
                                 {"newOrder", plain.server.url("/order")}}
                      .dump(),
                  "application/json");
  });
  ca.start();
  acme::ClientOptions options;
  options.directory_url = ca.url("/dir");
  options.ca_bundle = pki.ca_pem();
  acme::Client client(options);
  const std::string message = protocol_error(
      [&] { client.new_account(PrivateKey::generate(KeyType::ec256), {}, true, std::nullopt); });
  CHECK(message.find("the directory's newNonce as \"" + plain.server.url("/nonce") + "\"") !=
        std::string::npos);
  CHECK(ca_requests == 1);
  CHECK(plain.requests == 0);
}

TEST_CASE("URLs given to the client by its caller are checked before a request too") {
  PlainTarget plain;
  acme::ClientOptions options;
  options.directory_url = "https://127.0.0.1:1/dir";
  acme::Client client(options);
  client.use_account(PrivateKey::generate(KeyType::ec256), "https://127.0.0.1:1/acct/1");
  CHECK(protocol_error([&] { client.get_order(plain.server.url("/order/1")); }) ==
        "refusing to send an ACME request to \"" + plain.server.url("/order/1") +
            "\": not an https:// URL (RFC 8555 section 6.1)");
  CHECK(plain.requests == 0);
}

TEST_CASE("https_origin and require_same_origin compare scheme, host and port") {
  CHECK(acme::https_origin("https://CA.example/dir") == "https://ca.example:443");
  CHECK(acme::https_origin("https://ca.example:14000/order/1?x") == "https://ca.example:14000");
  CHECK(acme::https_origin("https://[::1]/dir") == "https://[::1]:443");
  CHECK(acme::https_origin("https://[::1]:8443/dir") == "https://[::1]:8443");
  CHECK(acme::https_origin("http://ca.example/dir").empty());
  CHECK_NOTHROW(acme::require_same_origin("https://ca.example:443/order/1",
                                          "https://CA.example/dir", "the new order's Location"));
  CHECK_THROWS_WITH_AS(
      acme::require_same_origin("https://127.0.0.2:9/order/1", "https://127.0.0.1:9/dir",
                                "the new order's Location"),
      "the ACME server gave the new order's Location as \"https://127.0.0.2:9/order/1\", at "
      "another origin than its directory https://127.0.0.1:9/dir",
      Error);
  CHECK_THROWS_AS(
      acme::require_same_origin("https://ca.example:8443/o", "https://ca.example/dir", "x"), Error);
}
