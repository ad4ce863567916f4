// SPDX-License-Identifier: Apache-2.0
// Cancelling requests under way: the libcurl transport and acme::Client end at once, with
// Error(cancelled), when stop is requested on their token from another thread. The server that
// never answers is a stand-in (a loopback socket that is listened on but never read, so the
// kernel completes connections and nothing ever replies): no real CA can be made to hang.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/dns01.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/stop_token.hpp"
#include "core/unique_fd.hpp"
#include "http/http_client.hpp"
#include "support/refusing_dns_server.hpp"
#include "support/stop_later.hpp"
#include "transport_test_support.hpp"

using acmecpp::Error;
using acmecpp::ErrorKind;
using acmecpp::StopSource;
using acmecpp::http::make_curl_http_client;
using acmecpp::test::LocalHttpServer;
using acmecpp::test::LoopbackListener;
using acmecpp::testing::RefusingDnsServer;
using acmecpp::testing::StopLater;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

acmecpp::http::Options patient_options() {
  acmecpp::http::Options options;
  options.connect_timeout = 30s;  // far beyond what the tests wait: only the stop ends them
  options.total_timeout = 60s;
  return options;
}

/// Runs `call`, which must throw Error(cancelled); returns its message and how long it took since
/// `started`. A test that bounds the time from below passes when it scheduled the stop (a
/// StopLater's clock starts when it is made, a moment before the call).
template <typename Call>
std::pair<std::string, Clock::duration> cancelled_call(Call call,
                                                       Clock::time_point started = Clock::now()) {
  try {
    call();
  } catch (const Error& e) {
    const auto took = Clock::now() - started;
    CHECK(e.kind() == ErrorKind::cancelled);
    return {e.what(), took};
  }
  FAIL("expected Error(cancelled)");
  return {};
}

double seconds_of(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

/// Publishes nothing anywhere: the propagation check below looks at a server that refuses.
class NowhereProvider : public acmecpp::DnsProvider {
 public:
  std::string name() const override { return "nowhere"; }
  void present(const std::string&, const std::string&) override {}
  void cleanup(const std::string&, const std::string&) override {}
};

}  // namespace

TEST_CASE("an HTTP transfer to a server that never answers ends when stop is requested") {
  LoopbackListener silent;
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/directory";
  const auto client = make_curl_http_client(patient_options());
  StopSource source;
  std::pair<std::string, Clock::duration> result;
  {
    const auto scheduled = Clock::now();
    StopLater stop(source, 200ms);
    result = cancelled_call([&] { client->get(url, {}, source.token()); }, scheduled);
  }
  MESSAGE("cancelled after " << seconds_of(result.second) << " s (stop requested at 0.2 s)");
  CHECK(result.first == "cancelled: GET " + url);
  CHECK(result.second >= 200ms);
  CHECK(result.second < 1s);
}

TEST_CASE("a request whose stop was already requested is not sent") {
  LocalHttpServer local;
  std::atomic<int> hits{0};
  local.server().Post("/x", [&hits](const httplib::Request&, httplib::Response& response) {
    ++hits;
    response.set_content("ok", "text/plain");
  });
  local.start();
  const auto client = make_curl_http_client(patient_options());
  StopSource source;
  source.request_stop();
  const auto result =
      cancelled_call([&] { client->post(local.url("/x"), "{}", {}, source.token()); });
  CHECK(result.first == "cancelled: POST " + local.url("/x"));
  CHECK(hits == 0);
}

TEST_CASE("after a cancelled transfer the client serves the next request") {
  acmecpp::test::HeldRoute slow;
  LocalHttpServer local;
  slow.install(local.server(), "/slow");
  local.server().Get("/fast", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("fast", "text/plain");
  });
  local.start();
  const auto client = make_curl_http_client(patient_options());
  StopSource source;
  std::pair<std::string, Clock::duration> result;
  {
    StopLater stop(source, 200ms);
    result = cancelled_call([&] { client->get(local.url("/slow"), {}, source.token()); });
  }
  slow.release();
  CHECK(result.second < 1s);
  // The pooled handles are usable again, with a token that is not stopped and with none.
  CHECK(client->get(local.url("/fast"), {}, StopSource().token()).body == "fast");
  CHECK(client->get(local.url("/fast")).body == "fast");
}

TEST_CASE("acme::Client calls at a CA that never answers end when stop is requested") {
  LoopbackListener silent;  // TLS never starts: the handshake waits for a ServerHello
  acmecpp::acme::ClientOptions options;
  options.directory_url = "https://127.0.0.1:" + std::to_string(silent.port()) + "/dir";
  options.connect_timeout = 30s;
  options.request_timeout = 60s;
  StopSource source;
  options.stop = source.token();
  acmecpp::acme::Client client(options);

  std::pair<std::string, Clock::duration> result;
  {
    StopLater stop(source, 300ms);
    result = cancelled_call([&] { client.directory(); });
  }
  MESSAGE("directory() cancelled after " << seconds_of(result.second) << " s (stop at 0.3 s)");
  CHECK(result.first == "cancelled: GET " + options.directory_url);
  CHECK(result.second < 1s);
  // Every later call fails at once: nothing is sent any more.
  const auto later = cancelled_call([&] { client.directory(); });
  CHECK(later.second < 100ms);

  // set_stop_token() gives the client a fresh token (what CertManager does after stop()): the
  // next call waits on the server again, and can be stopped again.
  StopSource fresh;
  client.set_stop_token(fresh.token());
  {
    const auto scheduled = Clock::now();
    StopLater stop(fresh, 300ms);
    result = cancelled_call([&] { client.directory(); }, scheduled);
  }
  CHECK(result.second >= 300ms);
  CHECK(result.second < 1s);
}

TEST_CASE("the DNS-01 propagation check ends between looks when stop is requested") {
  RefusingDnsServer refusing;
  acmecpp::Dns01PropagationOptions options;
  options.authoritative_override = {refusing.address()};
  options.follow_cname = false;
  options.timeout = std::chrono::seconds(120);
  options.interval = std::chrono::seconds(10);  // the check sleeps between looks
  acmecpp::Dns01Solver solver(std::make_shared<NowhereProvider>(), options);
  StopSource source;
  acmecpp::ChallengeTask task{"dns-01", "stop.example.test", false,
                              "token",  "token.thumb",       source.token()};
  solver.present(task);
  std::pair<std::string, Clock::duration> result;
  {
    const auto scheduled = Clock::now();
    StopLater stop(source, 300ms);
    result = cancelled_call([&] { solver.wait_until_visible(task); }, scheduled);
  }
  solver.cleanup(task);
  MESSAGE("propagation check cancelled after " << seconds_of(result.second)
                                               << " s (stop at 0.3 s)");
  CHECK(result.first == "cancelled: waiting for TXT record _acme-challenge.stop.example.test.");
  CHECK(refusing.queries() >= 1);  // it did look, and then waited
  CHECK(result.second >= 300ms);
  CHECK(result.second < 1s);
}
