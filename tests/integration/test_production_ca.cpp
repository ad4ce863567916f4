// SPDX-License-Identifier: Apache-2.0
// What Let's Encrypt's production CA (Boulder) does and Pebble 2.4.0 never shows (issue 12):
// 429/500/503 with Retry-After on any request, rateLimited problems, "replaces" refused, an
// account the CA reports deactivated, a revocation reason it refuses. Each test runs Pebble
// behind the stand-in of tests/support/ari_server.hpp, which STANDS IN FOR LET'S ENCRYPT'S
// PRODUCTION CA because no real peer can run here: it injects Boulder's answers on chosen
// requests, before or after Pebble acted on them, and counts what reaches it (newOrder above
// all: each order a client places counts against Let's Encrypt's limits).

#include <doctest/doctest.h>

#include <ctime>
#include <mutex>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/certificate.hpp"
#include "acmecpp/metrics.hpp"
#include "acmecpp/revocation.hpp"
#include "acmectl_runner.hpp"
#include "core/rfc3339.hpp"
#include "support/ari_server.hpp"
#include "support/challtestsrv.hpp"
#include "support/eventually.hpp"
#include "support/http01_listener.hpp"
#include "support/log_lines.hpp"
#include "support/pebble_env.hpp"
#include "support/process.hpp"
#include "support/stop_later.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

namespace {

PebbleOptions quiet_pebble() {
  PebbleOptions options;
  options.nonce_reject_percent = 0;  // a badNonce retry would record one newOrder twice
  options.authz_reuse_percent = 0;   // every order brings pending authorizations to poll
  return options;
}

/// Pebble behind the production-CA stand-in, HTTP-01 answered in process.
struct ProductionCa {
  PebbleEnv pebble{quiet_pebble()};
  TempDir dir;
  std::shared_ptr<Http01Handler> handler = std::make_shared<Http01Handler>();
  Http01Listener listener{handler, pebble.http_port()};
  AriServer ca{pebble};
  LogLines log;
  ManagerConfig config;

  ProductionCa() : config(pebble_manager_config(pebble, dir / "acme.json", handler)) {
    config.acme.directory_url = ca.directory_url();
    config.acme.transient_initial_wait = milliseconds(50);  // waits without a Retry-After
    config.log = log.sink();
  }

  CertificateRecord stored(const std::string& main) const {
    for (const auto& entry : AcmeJsonStore((dir / "acme.json").string()).certificates("test")) {
      if (entry.main == main) return entry;
    }
    FAIL("certificate not stored");
    return {};
  }
};

/// An HTTP date (RFC 9110) `ahead` from now, as a Retry-After header may carry it.
std::string http_date(seconds ahead) {
  const std::time_t t = system_clock::to_time_t(system_clock::now() + ahead);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

Injection failure(int status, const std::string& type, const std::string& retry_after,
                  int times = 1) {
  Injection injection;
  injection.status = status;
  injection.problem_type = type;
  injection.retry_after = retry_after;
  injection.times = times;
  return injection;
}

bool valid_for(const IssuedCertificate& issued, const std::string& name) {
  const auto info = parse_certificate(issued.record.certificate_pem);
  return issued.record.main == name && info.not_after > system_clock::now();
}

}  // namespace

TEST_CASE(
    "production CA: 429, 500 and 503 on newNonce, challenge, authorization, order polls and the "
    "download are retried as Retry-After says, and one order ends in a valid certificate") {
  ProductionCa f;
  // Load shedding on newNonce (Boulder answers 503 when nonces are over their limit).
  f.ca.inject(CaRequest::new_nonce, failure(503, "", "1", 2));
  f.ca.inject(CaRequest::authorization, failure(429, "rateLimited", "1"));
  f.ca.inject(CaRequest::challenge, failure(500, "serverInternal", ""));
  f.ca.inject(CaRequest::order, failure(503, "serverInternal", http_date(seconds(4))));
  // The download fails after the order became valid: the certificate the CA issued is fetched
  // again, not ordered again.
  Injection lost = failure(500, "serverInternal", "", 2);
  lost.after_forwarding = true;
  f.ca.inject(CaRequest::certificate, lost);

  CertManager manager(f.config);
  const auto issued = manager.obtain({"transient.example.test"});
  CHECK(valid_for(issued, "transient.example.test"));
  CHECK(f.ca.new_order_payloads().size() == 1);
  CHECK(f.ca.injected(CaRequest::new_nonce) == 2);
  CHECK(f.ca.injected(CaRequest::authorization) == 1);
  CHECK(f.ca.injected(CaRequest::challenge) == 1);
  CHECK(f.ca.injected(CaRequest::order) == 1);
  CHECK(f.ca.injected(CaRequest::certificate) == 2);
  CHECK(manager.request_stats().transient_retries == 7);
  CHECK(manager.metrics().transient_retries == 7);
}

TEST_CASE("production CA: finalize answered 500 after the CA acted is not sent twice") {
  ProductionCa f;
  Injection lost = failure(500, "serverInternal", "");
  lost.after_forwarding = true;  // Pebble finalized; the client sees only the 500
  f.ca.inject(CaRequest::finalize, lost);
  CertManager manager(f.config);
  CHECK(valid_for(manager.obtain({"finalize-lost.example.test"}), "finalize-lost.example.test"));
  CHECK(f.ca.requests(CaRequest::finalize) == 1);
  CHECK(f.ca.new_order_payloads().size() == 1);
}

TEST_CASE("production CA: finalize answered 503 before the CA acted is sent again") {
  ProductionCa f;
  f.ca.inject(CaRequest::finalize, failure(503, "serverInternal", "1"));
  CertManager manager(f.config);
  CHECK(valid_for(manager.obtain({"finalize-busy.example.test"}), "finalize-busy.example.test"));
  // The order was still "ready": nothing had been done, so finalizing again is safe.
  CHECK(f.ca.requests(CaRequest::finalize) == 2);
  CHECK(f.ca.new_order_payloads().size() == 1);
}

TEST_CASE("production CA: finalize answered 503 with Retry-After is asked again only after it") {
  ProductionCa f;
  f.ca.inject(CaRequest::finalize, failure(503, "serverInternal", "3"));
  CertManager manager(f.config);
  const auto started = std::chrono::steady_clock::now();
  CHECK(valid_for(manager.obtain({"finalize-wait.example.test"}), "finalize-wait.example.test"));
  // Pebble alone issues within about a second: the 3 s are the CA's Retry-After, honoured.
  CHECK(std::chrono::steady_clock::now() - started >= seconds(3));
  CHECK(f.ca.requests(CaRequest::finalize) == 2);
  CHECK(f.ca.new_order_payloads().size() == 1);
}

TEST_CASE("production CA: a 503 on newOrder is not repeated blindly, the next attempt orders") {
  ProductionCa f;
  f.ca.inject(CaRequest::new_order, failure(503, "serverInternal", "1"));
  CertManager manager(f.config);
  CHECK_THROWS_WITH_AS(manager.obtain({"order-busy.example.test"}), doctest::Contains("new order"),
                       AcmeError);
  CHECK(f.ca.new_order_payloads().size() == 1);  // not sent again: it might have been placed
  CHECK(valid_for(manager.obtain({"order-busy.example.test"}), "order-busy.example.test"));
  CHECK(f.ca.new_order_payloads().size() == 2);
  CHECK(f.ca.injected(CaRequest::new_order) == 1);  // Pebble saw one order
}

TEST_CASE("production CA: a rateLimited newOrder with a short Retry-After is waited for") {
  ProductionCa f;
  f.ca.inject(CaRequest::new_order, failure(429, "rateLimited", "1"));
  CertManager manager(f.config);
  const auto started = std::chrono::steady_clock::now();
  CHECK(valid_for(manager.obtain({"limited.example.test"}), "limited.example.test"));
  CHECK(std::chrono::steady_clock::now() - started >= milliseconds(900));  // it did wait
  CHECK(f.ca.requests(CaRequest::new_order) == 2);
  CHECK(f.ca.injected(CaRequest::new_order) == 1);
}

TEST_CASE(
    "production CA: a rate limit's Retry-After beyond the limit ends the renewal naming the time, "
    "is recorded with the certificate and ends the engine's attempts until then") {
  ProductionCa f;
  CertManager manager(f.config);
  const auto record = manager.obtain({"limit.example.test"}).record;

  f.ca.inject(CaRequest::new_order, failure(429, "rateLimited", "7200"));
  const auto before = system_clock::now();
  try {
    manager.renew(record);
    FAIL("the renewal waited two hours or ignored the rate limit");
  } catch (const AcmeError& e) {
    REQUIRE(e.retry_at().has_value());
    CHECK(*e.retry_at() >= before + seconds(7199));
    CHECK(*e.retry_at() <= system_clock::now() + seconds(7201));
    const std::string message = e.what();
    CHECK(message.find("try again after " + core::format_rfc3339(*e.retry_at())) !=
          std::string::npos);
    CHECK(message.find("rateLimited") != std::string::npos);
  }
  CHECK(f.ca.requests(CaRequest::new_order) == 2);  // the obtain, and the refused one

  // Recorded with the certificate: the next attempt waits for the CA's time, not the backoff's.
  const auto state = f.stored("limit.example.test").renewal;
  REQUIRE(state.retry_not_before.has_value());
  CHECK(*state.retry_not_before >= before + seconds(7199));
  // Due by ARI (a window in the past), yet not before the CA's time.
  const auto now = system_clock::now();
  f.ca.set_window({now - hours(48), now - hours(24), std::nullopt, {}});
  const auto decision = manager.check_renewal(record, now);
  CHECK_FALSE(decision.due);
  CHECK(decision.renew_at == *state.retry_not_before);
  CHECK(decision.reason.find("the CA asked to wait until") != std::string::npos);
  CHECK(f.log.containing("next attempt not before " +
                         core::format_rfc3339(*state.retry_not_before)) == 1);

  // In the metrics.
  const auto metrics = manager.metrics();
  REQUIRE(metrics.certificates.size() == 1);
  CHECK(metrics.certificates[0].retry_not_before == state.retry_not_before);
  CHECK(render_prometheus(metrics).find(
            "acmecpp_certificate_retry_not_before_timestamp_seconds{resolver=\"test\","
            "name=\"limit.example.test\"}") != std::string::npos);
}

TEST_CASE(
    "production CA: the engine backs off a rate-limited new certificate until the CA's time") {
  ProductionCa f;
  f.ca.inject(CaRequest::new_order, failure(429, "rateLimited", "7200"));
  CertManager manager(f.config);
  manager.manage({"engine-limit.example.test"});
  auto outcomes = manager.maintain();
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].result == UpkeepOutcome::Result::failed);
  CHECK(outcomes[0].retry_in >= hours(1) + std::chrono::minutes(59));
  outcomes = manager.maintain();
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].result == UpkeepOutcome::Result::backing_off);
  CHECK(outcomes[0].retry_in >= hours(1) + std::chrono::minutes(59));
  CHECK(f.ca.requests(CaRequest::new_order) == 1);  // no second order before the CA's time
}

TEST_CASE("production CA: a stop ends a wait for Retry-After at once") {
  ProductionCa f;
  StopSource stop;
  f.config.acme.stop = stop.token();
  f.ca.inject(CaRequest::new_order, failure(429, "rateLimited", "240"));
  CertManager manager(f.config);
  manager.ensure_account();
  const auto started = std::chrono::steady_clock::now();
  {
    StopLater later(stop, milliseconds(300));
    try {
      manager.obtain({"stopped.example.test"});
      FAIL("not stopped");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::cancelled);
    }
  }
  CHECK(std::chrono::steady_clock::now() - started < seconds(5));
}

TEST_CASE("production CA: newAccount answered 500 after the CA acted is looked up, not repeated") {
  ProductionCa f;
  Injection lost = failure(500, "serverInternal", "");
  lost.after_forwarding = true;  // Pebble registered it; the client sees only the 500
  f.ca.inject(CaRequest::new_account, lost);
  CertManager manager(f.config);
  bool created = false;
  const auto account = manager.ensure_account(CertManager::AccountCheck::trust_store, &created);
  CHECK(created);
  CHECK_FALSE(account.url.empty());
  // The lost registration, then the lookup by key (onlyReturnExisting) that found it.
  CHECK(f.ca.requests(CaRequest::new_account) == 2);
  CHECK(valid_for(manager.obtain({"account-lost.example.test"}), "account-lost.example.test"));
}

TEST_CASE(
    "production CA: \"replaces\" only after an ARI answer, and any refusal of it gets exactly "
    "one order without it") {
  ProductionCa f;
  CertManager manager(f.config);
  const auto first = manager.obtain({"replaces.example.test"}).record;
  // No ARI answer for it (the stand-in answers 404): no "replaces", which the CA would refuse.
  manager.check_renewal(first, system_clock::now());
  const auto second = manager.renew(first).record;
  auto payloads = f.ca.new_order_payloads();
  REQUIRE(payloads.size() == 2);
  CHECK_FALSE(payloads[1].contains("replaces"));

  // With an answer: "replaces". Boulder refuses it from another account (unauthorized)...
  const auto now = system_clock::now();
  f.ca.set_window({now - hours(48), now - hours(24), std::nullopt, {}});
  manager.check_renewal(second, now);
  Injection refusal = failure(403, "unauthorized", "");
  refusal.detail = "requester account did not request the certificate being replaced by this order";
  f.ca.set_replaces_refusal(refusal);
  const auto third = manager.renew(second).record;
  payloads = f.ca.new_order_payloads();
  REQUIRE(payloads.size() == 4);
  CHECK(payloads[2].value("replaces", "") == acme::certificate_id(second.certificate_pem));
  CHECK_FALSE(payloads[3].contains("replaces"));

  // ... and for an issuer it does not know (a resolver moved from staging to production).
  refusal = failure(400, "malformed", "");
  refusal.detail =
      "While parsing ARI CertID an error occurred: no known issuer matches the provided "
      "Authority Key Identifier";
  f.ca.set_replaces_refusal(refusal);
  manager.check_renewal(third, now);
  const auto fourth = manager.renew(third).record;
  payloads = f.ca.new_order_payloads();
  REQUIRE(payloads.size() == 6);
  CHECK(payloads[4].value("replaces", "") == acme::certificate_id(third.certificate_pem));
  CHECK_FALSE(payloads[5].contains("replaces"));
  CHECK(f.stored("replaces.example.test").certificate_pem == fourth.certificate_pem);
  CHECK(f.log.containing("the CA refused \"replaces\"") == 2);
}

TEST_CASE("production CA: no \"replaces\" for a certificate another account ordered") {
  ProductionCa f;
  CertManager manager(f.config);
  manager.obtain({"other-account.example.test"});
  auto entry = f.stored("other-account.example.test");
  CHECK(entry.renewal.account_url == manager.ensure_account().url);
  // As if ordered before the account was deactivated and a new one registered.
  entry.renewal.account_url = "https://127.0.0.1/my-account/999";
  AcmeJsonStore((f.dir / "acme.json").string()).save_certificate("test", entry);
  const auto now = system_clock::now();
  f.ca.set_window({now - hours(48), now - hours(24), std::nullopt, {}});
  manager.check_renewal(entry, now);
  manager.renew(entry);
  const auto payloads = f.ca.new_order_payloads();
  REQUIRE(payloads.size() == 2);
  CHECK_FALSE(payloads[1].contains("replaces"));
}

TEST_CASE("production CA: ARI's explanationURL is logged when a window is first seen or moves") {
  ProductionCa f;
  CertManager manager(f.config);
  const auto record = manager.obtain({"explained.example.test"}).record;
  const auto now = std::chrono::time_point_cast<seconds>(system_clock::now());
  const std::string why = "https://letsencrypt.example.test/incident-2026";
  f.ca.set_window({now + hours(24), now + hours(48), seconds(60), why});
  manager.check_renewal(record, now);
  CHECK(f.log.containing("explanation " + why) == 1);
  manager.check_renewal(record, now + std::chrono::minutes(2));  // asked again: the same window
  CHECK(f.ca.renewal_info_requests().size() == 2);
  CHECK(f.log.containing("explanation " + why) == 1);
  f.ca.set_window({now - hours(1), now + hours(1), seconds(60), why});  // moved: an incident
  manager.check_renewal(record, now + std::chrono::minutes(4));
  CHECK(f.log.containing("explanation " + why) == 2);
  CHECK(f.stored("explained.example.test").renewal.ari_explanation_url == why);
}

TEST_CASE(
    "production CA: an account the CA reports deactivated fails the order naming it, and no "
    "account is registered behind the operator's back") {
  ProductionCa f;
  CertManager manager(f.config);
  const auto account = manager.ensure_account();
  const auto registrations = f.ca.requests(CaRequest::new_account);
  Injection refused = failure(403, "unauthorized", "");
  refused.detail = "Account is not valid, has status \"deactivated\"";  // Boulder's words
  refused.times = 10;
  f.ca.inject(CaRequest::new_order, refused);
  try {
    manager.obtain({"deactivated.example.test"});
    FAIL("ordered with a deactivated account");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::config);
    CHECK(std::string(e.what()).find(account.url) != std::string::npos);
    CHECK(std::string(e.what()).find("register") != std::string::npos);
  }
  CHECK(f.ca.requests(CaRequest::new_account) == registrations);
  CHECK(f.ca.requests(CaRequest::new_order) == 1);
  CHECK(AcmeJsonStore((f.dir / "acme.json").string()).load_account("test")->uri == account.url);
}

TEST_CASE("production CA: a revocation reason the CA refuses is named in the error") {
  ProductionCa f;
  CertManager manager(f.config);
  const auto record = manager.obtain({"revoke-reason.example.test"}).record;
  Injection refused = failure(400, "badRevocationReason", "");
  refused.detail = "disallowed revocation reason: 3";
  f.ca.inject(CaRequest::revoke, refused);
  try {
    manager.revoke(record, 3);  // affiliationChanged: Let's Encrypt refuses it
    FAIL("the refusal was not reported");
  } catch (const AcmeError& e) {
    CHECK(e.problem().is("badRevocationReason"));
    const std::string message = e.what();
    CHECK(message.find("does not accept the reason 3") != std::string::npos);
    CHECK(message.find("keyCompromise") != std::string::npos);
  }
  CHECK(f.ca.requests(CaRequest::revoke) == 1);
  manager.revoke(record, int(RevocationReason::superseded));
  CHECK(f.ca.requests(CaRequest::revoke) == 2);
}

TEST_CASE("production CA: acmectl list --json shows the CA's time and ARI's explanationURL") {
  ProductionCa f;
  CertManager manager(f.config);
  const auto record = manager.obtain({"listed.example.test"}).record;
  const auto now = system_clock::now();
  const std::string why = "https://letsencrypt.example.test/mass-revocation";
  f.ca.set_window({now - hours(48), now - hours(24), std::nullopt, why});
  manager.check_renewal(record, now);
  f.ca.inject(CaRequest::new_order, failure(429, "rateLimited", "7200"));
  CHECK_THROWS_AS(manager.renew(record), AcmeError);
  const auto at = f.stored("listed.example.test").renewal.retry_not_before;
  REQUIRE(at.has_value());

  const std::string store = (f.dir / "acme.json").string();
  const auto json = run_acmectl(f.pebble, store, {"list", "--json"});
  REQUIRE_MESSAGE(json.exit_code == 0, describe(json));
  const auto listed = nlohmann::json::parse(json.out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].value("retry_not_before", "") == core::format_rfc3339(*at));
  CHECK(listed[0].value("ari_explanation_url", "") == why);
  const auto text = run_acmectl(f.pebble, store, {"list"});
  CHECK(text.out.find("retry-not-before=" + core::format_rfc3339(*at)) != std::string::npos);
}

// Against Pebble itself (no stand-in): the account is deactivated for real.
TEST_CASE("acmectl issue with a deactivated account fails naming it, only register makes one") {
  PebbleEnv pebble(quiet_pebble());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto registered = run_acmectl(pebble, store, {"register"});
  REQUIRE_MESSAGE(registered.exit_code == 0, describe(registered));
  const auto deactivated = run_acmectl(pebble, store, {"account", "deactivate"});
  REQUIRE_MESSAGE(deactivated.exit_code == 0, describe(deactivated));
  const std::string old_url = AcmeJsonStore(store).load_account("letsencrypt")->uri;

  const auto refused = issue_standalone(pebble, store, {"after.example.test"});
  CHECK_MESSAGE(refused.exit_code == 4, describe(refused));  // configuration
  CHECK(refused.err.find(old_url) != std::string::npos);
  CHECK(refused.err.find("deactivated") != std::string::npos);
  CHECK(AcmeJsonStore(store).load_account("letsencrypt")->uri == old_url);

  const auto again = run_acmectl(pebble, store, {"register"});
  REQUIRE_MESSAGE(again.exit_code == 0, describe(again));
  CHECK(again.out.find("registered account") != std::string::npos);
  const std::string new_url = AcmeJsonStore(store).load_account("letsencrypt")->uri;
  CHECK(new_url != old_url);
  const auto issued = issue_standalone(pebble, store, {"after.example.test"});
  CHECK_MESSAGE(issued.exit_code == 0, describe(issued));
}

// Pebble 2.4.0 validates over IPv6 when a name has an AAAA record: the real thing, no stand-in.
TEST_CASE("a name reachable only over IPv6 (::1) validates with acmectl's default listen address") {
  PebbleEnv pebble(quiet_pebble());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const ChallTestSrv dns(pebble.challtestsrv_management_url());
  for (const char* name : {"v6-http.example.test", "v6-tls.example.test"}) {
    dns.add_aaaa(name, {"::1"});
    dns.add_a(name, {"192.0.2.1"});  // TEST-NET-1: unreachable from here, so IPv4 cannot answer
  }
  const auto http = run_acmectl(
      pebble, store,
      {"issue", "v6-http.example.test", "--http-port", std::to_string(pebble.http_port())});
  CHECK_MESSAGE(http.exit_code == 0, describe(http));
  const auto tls = run_acmectl(pebble, store,
                               {"issue", "v6-tls.example.test", "--challenge", "tls-alpn-01",
                                "--tls-port", std::to_string(pebble.tls_port())});
  CHECK_MESSAGE(tls.exit_code == 0, describe(tls));
}

TEST_CASE("acmectl renew --jitter waits a random time up to DURATION, and SIGTERM ends the wait") {
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  // An empty store (renew refuses one that does not exist): nothing to renew after the wait.
  write_text_file(store, "");
  std::filesystem::permissions(
      store, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto refused =
      run_process({ACMECPP_ACMECTL_PATH, "renew", "--store", store, "--jitter", "5x"});
  CHECK(refused.exit_code == 3);  // invalid input
  CHECK(refused.err.find("--jitter") != std::string::npos);

  // A short jitter: waited, then the (empty) renewal done.
  const auto started = std::chrono::steady_clock::now();
  const auto quick =
      run_process({ACMECPP_ACMECTL_PATH, "renew", "--store", store, "--jitter", "1s"});
  CHECK_MESSAGE(quick.exit_code == 0, describe(quick));
  CHECK(std::chrono::steady_clock::now() - started < seconds(30));

  // A long one ends on SIGTERM with "cancelled" (13), at once.
  ChildProcess renew({ACMECPP_ACMECTL_PATH, "renew", "--store", store, "--jitter", "2h", "-v"}, {},
                     dir / "renew.log");
  REQUIRE(eventually(
      [&] { return read_text_file(dir / "renew.log").find("(--jitter)") != std::string::npos; }));
  renew.kill(SIGTERM);
  const auto status = renew.wait(std::chrono::seconds(5));
  REQUIRE(status.has_value());
  CHECK(status->exit_code == 13);
  CHECK(read_text_file(dir / "renew.log").find("stopped during --jitter") != std::string::npos);
}
