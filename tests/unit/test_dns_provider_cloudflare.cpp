// SPDX-License-Identifier: Apache-2.0
// The Cloudflare DNS provider against a local stand-in for Cloudflare's API (real HTTP on
// 127.0.0.1 through the project's libcurl transport). The real API cannot be reached from the
// tests (loopback only, and it needs an account): see cloudflare_stand_in.hpp for what the
// stand-in implements and where its shapes come from.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"
#include "cloudflare_stand_in.hpp"
#include "transport_test_support.hpp"

using acmecpp::ChallengeError;
using acmecpp::CloudflareOptions;
using acmecpp::Error;
using acmecpp::ErrorKind;
using acmecpp::make_cloudflare_provider;
using acmecpp::test::CloudflareRecord;
using acmecpp::test::CloudflareStandIn;
using acmecpp::test::LocalHttpServer;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY";
const std::string kZoneId = "023e105f4ecef8ad9ca31a8372d0c353";

CloudflareOptions options_for(const CloudflareStandIn& api, const std::string& token = kToken) {
  CloudflareOptions options;
  options.api_token = token;
  options.base_url = api.base_url();
  return options;
}

/// A stand-in with the zone example.com, and b.example.com still pending (a zone added to an
/// account but not yet delegated: the walk must go past it).
struct Fixture {
  CloudflareStandIn api{kToken};
  Fixture() {
    api.add_zone({kZoneId, "example.com", "active"});
    api.add_zone({"pendingzone", "b.example.com", "pending"});
    api.add_zone({"otherzone", "example.org", "active"});
    api.add_zone({"pendingonly", "only-pending.test", "pending"});
  }
};

std::vector<std::string> contents_at(const CloudflareStandIn& api, const std::string& name) {
  std::vector<std::string> contents;
  for (const CloudflareRecord& record : api.records()) {
    if (record.name == name) contents.push_back(record.content);
  }
  std::sort(contents.begin(), contents.end());
  return contents;
}

template <typename Call>
std::string challenge_error_of(Call call) {
  try {
    call();
  } catch (const ChallengeError& error) {
    return error.what();
  }
  FAIL("expected a ChallengeError");
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cloudflare provider finds the zone of a deep name and creates the TXT record there") {
  Fixture fixture;
  const auto provider = make_cloudflare_provider(options_for(fixture.api));
  CHECK(provider->name() == "cloudflare");

  provider->present("_acme-challenge.a.b.example.com.", "txt-value-1");

  CHECK(fixture.api.zone_queries() == std::vector<std::string>{"_acme-challenge.a.b.example.com",
                                                               "a.b.example.com", "b.example.com",
                                                               "example.com"});
  const auto records = fixture.api.records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].zone_id == kZoneId);
  CHECK(records[0].type == "TXT");
  CHECK(records[0].name == "_acme-challenge.a.b.example.com");  // without the trailing dot
  CHECK(records[0].content == "txt-value-1");
  CHECK(records[0].ttl == 120);

  provider->cleanup("_acme-challenge.a.b.example.com.", "txt-value-1");
  CHECK(fixture.api.records().empty());
  CHECK(fixture.api.zone_queries().size() == 4);  // the zone was remembered, not looked up again
}

TEST_CASE("cloudflare provider keeps two values at one name apart") {
  Fixture fixture;
  CloudflareOptions options = options_for(fixture.api);
  options.ttl = 300s;
  const auto provider = make_cloudflare_provider(options);
  const std::string name = "_acme-challenge.example.com";

  provider->present(name + ".", "apex-value");
  provider->present(name + ".", "wildcard-value");
  CHECK(contents_at(fixture.api, name) == std::vector<std::string>{"apex-value", "wildcard-value"});
  CHECK(fixture.api.records()[0].ttl == 300);

  provider->cleanup(name + ".", "apex-value");
  CHECK(contents_at(fixture.api, name) == std::vector<std::string>{"wildcard-value"});
  provider->cleanup(name + ".", "wildcard-value");
  CHECK(contents_at(fixture.api, name).empty());
}

TEST_CASE("cloudflare provider removes a record it did not create by looking it up") {
  Fixture fixture;
  const std::string name = "_acme-challenge.www.example.com";
  fixture.api.add_record({"", kZoneId, "TXT", name, "left-from-a-crashed-run", 120});
  fixture.api.add_record({"", kZoneId, "TXT", name, "someone-elses-value", 120});

  const auto provider = make_cloudflare_provider(options_for(fixture.api));
  provider->cleanup(name + ".", "left-from-a-crashed-run");
  CHECK(contents_at(fixture.api, name) == std::vector<std::string>{"someone-elses-value"});

  // Nothing matching: nothing to do, no error.
  CHECK_NOTHROW(provider->cleanup(name + ".", "never-published"));
  CHECK(contents_at(fixture.api, name) == std::vector<std::string>{"someone-elses-value"});
}

TEST_CASE("cloudflare provider treats a record already deleted elsewhere as cleaned up") {
  Fixture fixture;
  const auto provider = make_cloudflare_provider(options_for(fixture.api));
  provider->present("_acme-challenge.example.com.", "v");
  REQUIRE(fixture.api.records().size() == 1);
  fixture.api.remove_record(fixture.api.records()[0].id);
  CHECK_NOTHROW(provider->cleanup("_acme-challenge.example.com.", "v"));
}

TEST_CASE("cloudflare provider uses a given zone id without looking zones up") {
  Fixture fixture;
  CloudflareOptions options = options_for(fixture.api);
  options.zone_id = kZoneId;
  const auto provider = make_cloudflare_provider(options);
  provider->present("_acme-challenge.example.com.", "v");
  provider->cleanup("_acme-challenge.example.com.", "v");
  CHECK(fixture.api.zone_queries().empty());
  CHECK(fixture.api.records().empty());
}

TEST_CASE("cloudflare provider reports a bad token with Cloudflare's code and message only") {
  Fixture fixture;
  const std::string wrong_token = "WrongTokenWrongTokenWrongTokenWrongToken";
  const auto provider = make_cloudflare_provider(options_for(fixture.api, wrong_token));

  const std::string message =
      challenge_error_of([&] { provider->present("_acme-challenge.example.com.", "v"); });
  CHECK(contains(message, "9109"));
  CHECK(contains(message, "Invalid access token"));
  CHECK(contains(message, "HTTP 403"));
  CHECK(contains(message, "_acme-challenge.example.com"));
  CHECK_FALSE(contains(message, wrong_token));
  CHECK_FALSE(contains(message, kToken));
  CHECK(fixture.api.records().empty());
}

TEST_CASE("cloudflare provider shows Cloudflare's error chain") {
  Fixture fixture;
  // A token with a space is malformed: Cloudflare answers 6003 with the reason in error_chain.
  const auto provider = make_cloudflare_provider(options_for(fixture.api, "two words"));
  const std::string message =
      challenge_error_of([&] { provider->present("_acme-challenge.example.com.", "v"); });
  CHECK(contains(message,
                 "6003 Invalid request headers [6111 Invalid format for Authorization header]"));
  CHECK(contains(message, "HTTP 400"));
}

TEST_CASE("cloudflare provider scrubs its token from what the server sends back") {
  Fixture fixture;
  fixture.api.echo_authorization_in_errors();
  const std::string wrong_token = "EchoedTokenEchoedTokenEchoedTokenEchoed0";
  const auto provider = make_cloudflare_provider(options_for(fixture.api, wrong_token));
  const std::string message =
      challenge_error_of([&] { provider->present("_acme-challenge.example.com.", "v"); });
  CHECK(contains(message, "Invalid access token (got Bearer <api token>)"));
  CHECK_FALSE(contains(message, wrong_token));
}

TEST_CASE("cloudflare provider says which names it tried when no active zone fits") {
  Fixture fixture;
  const auto provider = make_cloudflare_provider(options_for(fixture.api));
  const std::string message =
      challenge_error_of([&] { provider->present("_acme-challenge.x.b.example.net.", "v"); });
  CHECK(contains(message, "no active zone for _acme-challenge.x.b.example.net"));
  CHECK(contains(message, "x.b.example.net, b.example.net, example.net"));

  const std::string pending =
      challenge_error_of([&] { provider->present("_acme-challenge.only-pending.test.", "v"); });
  CHECK(contains(pending, "not active: only-pending.test (pending)"));
  CHECK(fixture.api.records().empty());
}

TEST_CASE("cloudflare provider serves several threads at once") {
  Fixture fixture;
  const auto provider = make_cloudflare_provider(options_for(fixture.api));
  const std::string name = "_acme-challenge.example.com";
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { provider->present(name + ".", "value-" + std::to_string(i)); });
  }
  for (auto& thread : threads) thread.join();
  CHECK(contents_at(fixture.api, name).size() == 8);
  threads.clear();
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { provider->cleanup(name + ".", "value-" + std::to_string(i)); });
  }
  for (auto& thread : threads) thread.join();
  CHECK(fixture.api.records().empty());
}

TEST_CASE("cloudflare provider reports an answer that is not Cloudflare's envelope") {
  LocalHttpServer proxy;
  proxy.server().Get(".*", [](const httplib::Request&, httplib::Response& response) {
    response.status = 502;
    response.set_content("<html><body>Bad Gateway</body></html>", "text/html");
  });
  proxy.start();
  CloudflareOptions options;
  options.api_token = kToken;
  options.base_url = proxy.url("/client/v4/");  // the trailing slash is dropped
  const std::string message = challenge_error_of(
      [&] { make_cloudflare_provider(options)->present("_acme-challenge.example.com.", "v"); });
  CHECK(contains(message, "HTTP 502"));
  CHECK(contains(message, "Bad Gateway"));
  CHECK(contains(message, "looking up the zone of _acme-challenge.example.com"));
}

TEST_CASE("cloudflare provider turns an unreachable API into a ChallengeError") {
  CloudflareOptions options;
  options.api_token = kToken;
  options.base_url = "http://127.0.0.1:" + std::to_string(acmecpp::test::unused_loopback_port());
  options.zone_id = kZoneId;
  const std::string message = challenge_error_of(
      [&] { make_cloudflare_provider(options)->present("_acme-challenge.example.com.", "v"); });
  CHECK(contains(message, "creating TXT record at _acme-challenge.example.com"));
  CHECK_FALSE(contains(message, kToken));
}

TEST_CASE("cloudflare provider refuses incomplete options") {
  const auto config_error = [](const CloudflareOptions& options) {
    try {
      make_cloudflare_provider(options);
    } catch (const Error& error) {
      CHECK(error.kind() == ErrorKind::config);
      return std::string(error.what());
    }
    FAIL("expected an Error");
    return std::string();
  };
  CloudflareOptions options;
  CHECK(contains(config_error(options), "no API token"));
  options.api_token = kToken;
  options.ttl = 0s;
  CHECK(contains(config_error(options), "TTL"));
  options.ttl = 120s;
  options.zone_id = "";
  CHECK(contains(config_error(options), "zone id"));
  options.zone_id.reset();
  options.base_url = "";
  CHECK(contains(config_error(options), "base URL"));
}
