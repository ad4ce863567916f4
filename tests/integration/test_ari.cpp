// SPDX-License-Identifier: Apache-2.0
// ACME Renewal Information (RFC 9773) and profiles through CertManager, against Pebble behind
// the ARI stand-in (tests/support/ari_server.hpp): Pebble 2.4 offers neither, so the stand-in
// serves renewalInfo and meta.profiles and forwards everything else to Pebble.

#include <doctest/doctest.h>

#include "acmecpp/cert_manager.hpp"
#include "support/ari_server.hpp"
#include "support/http01_listener.hpp"
#include "support/pebble_env.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;

namespace {

constexpr auto kDay = hours(24);

PebbleOptions no_nonce_rejects() {
  PebbleOptions options;
  options.nonce_reject_percent = 0;
  return options;
}

/// Pebble behind the stand-in, a listener for HTTP-01, and a config pointing at the stand-in.
struct AriFixture {
  // No rejected nonces: a badNonce retry would record one newOrder payload twice.
  PebbleEnv pebble{no_nonce_rejects()};
  TempDir dir;
  std::shared_ptr<Http01Handler> handler = std::make_shared<Http01Handler>();
  Http01Listener listener{handler, pebble.http_port()};
  AriServer ari;
  ManagerConfig config;

  explicit AriFixture(std::vector<std::string> profiles = {})
      : ari(pebble, std::move(profiles)),
        config(pebble_manager_config(pebble, dir / "acme.json", handler)) {
    config.acme.directory_url = ari.directory_url();
  }

  CertificateRecord stored(const CertificateRecord& record) const {
    for (const auto& entry : AcmeJsonStore((dir / "acme.json").string()).certificates("test")) {
      if (entry.main == record.main) return entry;
    }
    FAIL("certificate not stored");
    return {};
  }
};

system_clock::time_point whole_seconds(system_clock::time_point time) {
  return std::chrono::time_point_cast<seconds>(time);
}

}  // namespace

TEST_CASE("ARI: a past window makes a certificate due, a future one not, Retry-After is honoured") {
  AriFixture f;
  CertManager manager(f.config);
  const auto record = manager.obtain({"ari.example.test"}).record;
  const std::string id = acme::certificate_id(record.certificate_pem);
  const auto now = whole_seconds(system_clock::now());

  f.ari.set_window({now - 2 * kDay, now - kDay, hours(1), "https://ca.example.test/why"});
  const auto past = manager.check_renewal(record, now);
  CHECK(past.due);
  CHECK(past.reason.find("ARI window") != std::string::npos);
  REQUIRE(f.ari.renewal_info_requests() == std::vector<std::string>{id});
  const auto state = f.stored(record).renewal;
  CHECK(state.ari_cert_id == id);
  CHECK(state.ari_window_start == now - 2 * kDay);
  CHECK(state.ari_window_end == now - kDay);
  CHECK(state.ari_checked_at == now);
  CHECK(state.ari_retry_after == seconds(3600));
  CHECK(state.ari_explanation_url == "https://ca.example.test/why");
  REQUIRE(state.ari_selected_time.has_value());
  CHECK(*state.ari_selected_time >= now - 2 * kDay);
  CHECK(*state.ari_selected_time <= now - kDay);

  // The CA moves the window into the future; within Retry-After the stored answer stands.
  f.ari.set_window({now + 10 * kDay, now + 11 * kDay, hours(1), {}});
  CHECK(manager.is_due(record, now + minutes(30)));
  CHECK(f.ari.renewal_info_requests().size() == 1);

  // Past Retry-After it is asked again, and the new window says: not yet.
  const auto later = manager.check_renewal(record, now + minutes(61));
  CHECK_FALSE(later.due);
  CHECK(f.ari.renewal_info_requests().size() == 2);
  const auto chosen = f.stored(record).renewal.ari_selected_time;
  REQUIRE(chosen.has_value());
  CHECK(*chosen >= now + 10 * kDay);
  CHECK(*chosen <= now + 11 * kDay);
  CHECK(later.renew_at == *chosen);

  // Repeated checks agree on the chosen moment (the caller's stale copy of the record does not
  // matter): days later ARI is stale and asked again (once: the second check is a second later),
  // but the same window keeps the same moment.
  CHECK_FALSE(manager.is_due(record, *chosen - seconds(1)));
  CHECK(manager.is_due(record, *chosen));
  CHECK(f.ari.renewal_info_requests().size() == 3);
  CHECK(f.stored(record).renewal.ari_selected_time == chosen);
}

TEST_CASE("ARI: without an answer from renewalInfo the decision rests on the expiry") {
  AriFixture f;  // no window set: the stand-in answers 404
  CertManager manager(f.config);
  const auto issued = manager.obtain({"no-ari.example.test"});
  const auto now = system_clock::now();
  CHECK_FALSE(manager.is_due(issued.record, now));
  CHECK(manager.is_due(issued.record, issued.info.not_after - kDay));
  CHECK(f.ari.renewal_info_requests().size() == 2);
  // Nothing of ARI recorded; only the account that ordered it.
  auto state = f.stored(issued.record).renewal;
  CHECK(state.account_url == manager.ensure_account().url);
  state.account_url.clear();
  CHECK(state.empty());
}

TEST_CASE("ARI: a renewal names the certificate it replaces, alreadyReplaced orders again") {
  AriFixture f;
  CertManager manager(f.config);
  const auto first = manager.obtain({"replace.example.test"}).record;
  CHECK_FALSE(f.ari.new_order_payloads().back().contains("replaces"));

  // "replaces" only for a certificate whose ARI lookup succeeded (Boulder refuses others).
  const auto now = whole_seconds(system_clock::now());
  f.ari.set_window({now - 2 * kDay, now - kDay, std::nullopt, {}});
  manager.check_renewal(first, now);
  const auto second = manager.renew(first).record;
  auto payloads = f.ari.new_order_payloads();
  REQUIRE(payloads.size() == 2);
  CHECK(payloads[1].value("replaces", "") == acme::certificate_id(first.certificate_pem));

  f.ari.set_reject_replaces(true);
  manager.check_renewal(second, now);
  const auto third = manager.renew(second).record;
  payloads = f.ari.new_order_payloads();
  REQUIRE(payloads.size() == 4);
  CHECK(payloads[2].value("replaces", "") == acme::certificate_id(second.certificate_pem));
  CHECK_FALSE(payloads[3].contains("replaces"));
  CHECK(f.stored(third).certificate_pem == third.certificate_pem);
  CHECK(third.certificate_pem != second.certificate_pem);
}

TEST_CASE("profiles: the configured profile is sent when offered, refused by name when not") {
  AriFixture f({"classic", "shortlived"});
  f.config.profile = "shortlived";
  {
    CertManager manager(f.config);
    manager.obtain({"profile.example.test"});
    CHECK(f.ari.new_order_payloads().back().value("profile", "") == "shortlived");
  }
  f.config.profile = "tlsserver";
  f.config.store = std::make_shared<AcmeJsonStore>((f.dir / "acme.json").string());
  CertManager manager(f.config);
  try {
    manager.obtain({"profile2.example.test"});
    FAIL("an unknown profile was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::config);
    CHECK(std::string(e.what()).find("\"tlsserver\"") != std::string::npos);
    CHECK(std::string(e.what()).find("classic, shortlived") != std::string::npos);
  }
  CHECK(f.ari.new_order_payloads().size() == 1);
}
