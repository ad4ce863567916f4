// SPDX-License-Identifier: Apache-2.0
// DELETE through the libcurl transport (added for REST APIs of DNS hosts), against a real
// cpp-httplib server on 127.0.0.1.

#include <doctest/doctest.h>

#include <string>

#include "acmecpp/error.hpp"
#include "http/http_client.hpp"
#include "transport_test_support.hpp"

using acmecpp::Error;
using acmecpp::ErrorKind;
using acmecpp::http::Headers;
using acmecpp::http::HttpClient;
using acmecpp::http::make_curl_http_client;
using acmecpp::http::Options;
using acmecpp::http::Response;
using acmecpp::test::LocalHttpServer;

TEST_CASE("DELETE sends the DELETE method with the caller's headers and returns the answer") {
  LocalHttpServer local;
  local.server().Delete(
      "/things/(\\d+)", [](const httplib::Request& request, httplib::Response& response) {
        response.status = 202;
        response.set_header("X-Seen-Method", request.method);
        response.set_header("X-Seen-Token", request.get_header_value("Authorization"));
        response.set_header("X-Seen-Length", std::to_string(request.body.size()));
        response.set_content("deleted " + std::string(request.matches[1]), "text/plain");
      });
  local.server().Get("/method", [](const httplib::Request& request, httplib::Response& reply) {
    reply.set_content(request.method, "text/plain");
  });
  local.start();
  const auto client = make_curl_http_client(Options{});

  const Response response = client->del(local.url("/things/42"), {{"Authorization", "Bearer t"}});
  CHECK(response.status == 202);
  CHECK(response.body == "deleted 42");
  CHECK(response.header("X-Seen-Method") == "DELETE");
  CHECK(response.header("X-Seen-Token") == "Bearer t");
  CHECK(response.header("X-Seen-Length") == "0");

  // The pooled handle forgets the custom method: the next GET on it is a GET again.
  CHECK(client->get(local.url("/method")).body == "GET");
}

TEST_CASE("a transport that does not implement DELETE says so") {
  struct GetOnly : HttpClient {
    Response get(const std::string&, const Headers&, const acmecpp::StopToken&) override {
      return {};
    }
    Response head(const std::string&, const Headers&, const acmecpp::StopToken&) override {
      return {};
    }
    Response post(const std::string&, const std::string&, const Headers&,
                  const acmecpp::StopToken&) override {
      return {};
    }
  };
  GetOnly client;
  try {
    client.del("https://api.example.test/x");
    FAIL("expected an Error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::config);
    CHECK(std::string(error.what()).find("DELETE") != std::string::npos);
  }
}
