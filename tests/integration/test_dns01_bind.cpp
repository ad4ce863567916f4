// SPDX-License-Identifier: Apache-2.0
// DNS-01 against a real BIND: RFC 2136 updates with TSIG, the propagation check (zone by SOA
// walk, NS set, authoritative answers), CNAME delegation, and a wildcard + apex certificate from
// Pebble validated on BIND's records.

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/dns01.hpp"
#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"
#include "challenge/dns01/propagation_check.hpp"
#include "challenge/dns01/resolver_set.hpp"
#include "support/bind_env.hpp"
#include "support/free_port.hpp"
#include "support/pebble_env.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

namespace {

Rfc2136Options rfc2136_options(const BindEnv& bind) {
  Rfc2136Options options;
  options.nameserver = bind.address();
  options.tsig_key_name = bind.key_name();
  options.tsig_algorithm = bind.key_algorithm();
  options.tsig_secret = bind.key_secret();
  options.timeout = 5s;
  return options;
}

/// Looks through BIND only: it is the "resolver" (authoritative for the test zones, so it
/// answers the SOA, NS and A queries) and, on its own port, the NS set.
Dns01PropagationOptions check_through(const BindEnv& bind) {
  Dns01PropagationOptions options;
  options.resolvers = {bind.address()};
  options.authoritative_port = bind.port();
  options.timeout = 10s;
  options.interval = 100ms;
  return options;
}

ChallengeTask dns_task(const std::string& identifier, const std::string& token,
                       bool wildcard = false) {
  return ChallengeTask{"dns-01", identifier, wildcard, token, token + ".thumbprint", {}};
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const ChallengeError& e) {
    return e.what();
  }
  FAIL("no ChallengeError");
  return {};
}

/// Collects what the solver logs.
struct LogCapture {
  std::mutex mutex;
  Strings lines;
  LogSink sink() {
    return [this](LogLevel level, std::string_view message) {
      std::lock_guard<std::mutex> lock(mutex);
      lines.push_back(std::string(to_string(level)) + ": " + std::string(message));
    };
  }
  bool contains(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& line : lines) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

}  // namespace

TEST_CASE("rfc2136: two values at one name coexist, and removing one leaves the other") {
  BindEnv bind;
  const auto provider = make_rfc2136_provider(rfc2136_options(bind));  // zone by SOA query
  const std::string name = "_acme-challenge.two.example.test.";
  provider->present(name, "first-value");
  provider->present(name, "second-value");
  CHECK(bind.txt(name) == Strings{"first-value", "second-value"});
  provider->cleanup(name, "first-value");
  CHECK(bind.txt(name) == Strings{"second-value"});
  provider->cleanup(name, "second-value");
  CHECK(bind.txt(name).empty());
  // Deleting what is not there is not an error (a retried cleanup must not fail).
  CHECK_NOTHROW(provider->cleanup(name, "second-value"));
}

TEST_CASE("rfc2136: an explicit zone, hmac-sha512, and a value longer than 255 octets") {
  BindOptions bind_options;
  bind_options.key_algorithm = "hmac-sha512";
  BindEnv bind(bind_options);
  auto options = rfc2136_options(bind);
  options.zone = "example.test";
  const auto provider = make_rfc2136_provider(options);
  const std::string name = "_acme-challenge.long.example.test.";
  const std::string long_value(300, 'v');
  provider->present(name, long_value);
  CHECK(bind.txt(name) == Strings{long_value});
  provider->cleanup(name, long_value);
  CHECK(bind.txt(name).empty());
}

TEST_CASE("rfc2136: a wrong TSIG secret or key name is refused with rcode and TSIG error") {
  BindEnv bind;
  const std::string name = "_acme-challenge.denied.example.test.";

  auto wrong_secret = rfc2136_options(bind);
  wrong_secret.tsig_secret = random_tsig_secret();
  const std::string message =
      message_of([&] { make_rfc2136_provider(wrong_secret)->present(name, "v"); });
  CHECK(message.find("rcode NOTAUTH") != std::string::npos);
  CHECK(message.find("TSIG error BADSIG") != std::string::npos);
  CHECK(message.find("zone example.test.") != std::string::npos);
  CHECK(message.find(name) != std::string::npos);
  CHECK(message.find(bind.address()) != std::string::npos);
  CHECK(message.find(wrong_secret.tsig_secret) == std::string::npos);
  CHECK(message.find(bind.key_secret()) == std::string::npos);

  auto wrong_name = rfc2136_options(bind);
  wrong_name.tsig_key_name = "no-such-key";
  CHECK(message_of([&] {
          make_rfc2136_provider(wrong_name)->present(name, "v");
        }).find("TSIG error BADKEY") != std::string::npos);
  CHECK(bind.txt(name).empty());
}

TEST_CASE("rfc2136: a zone the server does not serve is refused") {
  BindEnv bind;
  auto options = rfc2136_options(bind);
  options.zone = "elsewhere.test";
  const std::string message = message_of(
      [&] { make_rfc2136_provider(options)->present("_acme-challenge.elsewhere.test.", "v"); });
  CHECK(message.find("rcode NOTAUTH") != std::string::npos);
  CHECK(message.find("zone elsewhere.test.") != std::string::npos);
}

TEST_CASE(
    "rfc2136: no server listening gives a clear error, and the solver's cleanup swallows it") {
  Rfc2136Options options;
  options.nameserver = "127.0.0.1:" + std::to_string(free_tcp_and_udp_port());
  options.zone = "example.test";
  options.timeout = 1s;
  LogCapture log;
  Dns01PropagationOptions check;
  check.skip = true;
  check.follow_cname = false;
  Dns01Solver solver(make_rfc2136_provider(options), check, log.sink());
  const auto task = dns_task("dead.example.test", "tok-dead");
  const std::string message = message_of([&] { solver.present(task); });
  CHECK(message.find("no answer from " + options.nameserver) != std::string::npos);
  CHECK(message.find("_acme-challenge.dead.example.test.") != std::string::npos);
  solver.cleanup(task);  // noexcept: the failure goes to the log
  CHECK(log.contains("warning: DNS-01 cleanup failed: rfc2136: no answer from"));
}

TEST_CASE("propagation check: zone by SOA walk through the resolver, NS set on its port") {
  BindEnv bind;
  const Dns01PropagationOptions options = check_through(bind);
  const dns01::ResolverSet resolvers(options.resolvers);
  std::string zone;
  const auto servers =
      dns01::discovered_servers("_acme-challenge.a.b.example.test.", options, resolvers, zone);
  CHECK(zone == "example.test.");
  REQUIRE(servers.size() == 1);
  CHECK(servers[0].label == "ns1.example.test. (127.0.0.1:" + std::to_string(bind.port()) + ")");
  CHECK(servers[0].require_authoritative);

  dns01::discovered_servers("_acme-challenge.acme-delegate.test.", options, resolvers, zone);
  CHECK(zone == "acme-delegate.test.");

  // Without the port option the NS set is asked on 53, as in production.
  auto default_port = options;
  default_port.authoritative_port.reset();
  const auto on_53 =
      dns01::discovered_servers("_acme-challenge.example.test.", default_port, resolvers, zone);
  REQUIRE(on_53.size() == 1);
  CHECK(on_53[0].address.port == 53);
}

TEST_CASE("propagation check: an NS name passes when one of its addresses serves the value") {
  BindOptions bind_options;
  // ns1 gets a second address where nothing listens (like an IPv6 address without a route).
  bind_options.zones.front().records.push_back("ns1 IN A 127.0.0.2");
  BindEnv bind(bind_options);
  auto options = check_through(bind);
  Dns01Solver solver(make_rfc2136_provider(rfc2136_options(bind)), options);
  const auto task = dns_task("dual.example.test", "tok-dual");
  solver.present(task);
  CHECK_NOTHROW(solver.wait_until_visible(task));
  solver.cleanup(task);

  // When none of them serves it, both addresses are named in the message.
  options.timeout = 1s;
  Dns01Solver impatient(make_rfc2136_provider(rfc2136_options(bind)), options);
  const auto message = message_of([&] { impatient.wait_until_visible(task); });
  const std::string port = std::to_string(bind.port());
  CHECK(message.find("ns1.example.test. (127.0.0.1:" + port + ") answered NXDOMAIN") !=
        std::string::npos);
  CHECK(message.find("ns1.example.test. (127.0.0.2:" + port + ") gave no answer") !=
        std::string::npos);
}

TEST_CASE("Dns01Solver publishes with rfc2136 and sees the record on the authoritative server") {
  BindEnv bind;
  LogCapture log;
  Dns01Solver solver(make_rfc2136_provider(rfc2136_options(bind)), check_through(bind), log.sink());
  const auto apex = dns_task("solver.example.test", "tok-apex");
  const auto wildcard = dns_task("solver.example.test", "tok-wild", true);
  solver.present(apex);
  solver.present(wildcard);
  const std::string name = "_acme-challenge.solver.example.test.";
  CHECK(bind.txt(name).size() == 2);
  solver.wait_until_visible(apex);
  solver.wait_until_visible(wildcard);
  CHECK(log.contains("zone example.test."));
  solver.cleanup(apex);
  CHECK(bind.txt(name) == Strings{dns01_txt_value(wildcard.key_authorization)});
  solver.cleanup(wildcard);
  CHECK(bind.txt(name).empty());
}

TEST_CASE("propagation check: authoritative_override asks exactly the given server") {
  BindEnv bind;
  Dns01PropagationOptions options;
  options.resolvers = {bind.address()};
  options.authoritative_override = {bind.address()};
  options.follow_cname = false;  // nothing then needs the resolvers
  options.resolvers.clear();
  options.timeout = 5s;
  options.interval = 100ms;
  Dns01Solver solver(make_rfc2136_provider(rfc2136_options(bind)), options);
  const auto task = dns_task("override.example.test", "tok-override");
  solver.present(task);
  CHECK_NOTHROW(solver.wait_until_visible(task));
  solver.cleanup(task);

  options.authoritative_override = {"127.0.0.1:" + std::to_string(free_tcp_and_udp_port())};
  options.timeout = 1s;
  Dns01Solver deaf(make_rfc2136_provider(rfc2136_options(bind)), options);
  const auto message = message_of([&] { deaf.wait_until_visible(task); });
  CHECK(message.find(options.authoritative_override[0] + " gave no answer") != std::string::npos);
}

TEST_CASE("propagation check: a value that never appears times out naming record and servers") {
  BindEnv bind;
  auto options = check_through(bind);
  options.timeout = 1s;
  options.interval = 200ms;
  Dns01Solver solver(make_rfc2136_provider(rfc2136_options(bind)), options);

  const auto started = std::chrono::steady_clock::now();
  const auto missing = dns_task("never.example.test", "tok-never");
  const std::string message = message_of([&] { solver.wait_until_visible(missing); });
  const auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(elapsed >= 800ms);
  CHECK(elapsed < 5s);
  const std::string server = "ns1.example.test. (127.0.0.1:" + std::to_string(bind.port()) + ")";
  CHECK(message.find("TXT record _acme-challenge.never.example.test.") != std::string::npos);
  CHECK(message.find("after 1 s") != std::string::npos);
  CHECK(message.find(server + " answered NXDOMAIN") != std::string::npos);

  // Another value at the name is not ours: the message shows what is there.
  const auto provider = make_rfc2136_provider(rfc2136_options(bind));
  provider->present("_acme-challenge.other.example.test.", "someone-else");
  const std::string other =
      message_of([&] { solver.wait_until_visible(dns_task("other.example.test", "tok-o")); });
  CHECK(other.find(server + " answered TXT \"someone-else\"") != std::string::npos);
}

TEST_CASE("propagation check: a TXT set too large for UDP is read over TCP") {
  BindOptions bind_options;
  // 90 values of 120 characters (BIND allows 100 records a set): about 11 KB, more than even an
  // EDNS0 UDP answer of 4096 octets.
  for (int i = 0; i < 90; ++i) {
    const std::string value = std::to_string(1000 + i) + std::string(116, 'x');
    bind_options.zones.front().records.push_back("_acme-challenge.big IN TXT \"" + value + "\"");
  }
  BindEnv bind(bind_options);
  Dns01Solver solver(make_rfc2136_provider(rfc2136_options(bind)), check_through(bind));
  const auto task = dns_task("big.example.test", "tok-big");
  solver.present(task);
  CHECK(bind.txt("_acme-challenge.big.example.test.").size() == 91);
  CHECK_NOTHROW(solver.wait_until_visible(task));
  solver.cleanup(task);
}

TEST_CASE("CNAME delegation: the record is published at the CNAME's target") {
  BindOptions bind_options;
  bind_options.zones.front().records.push_back(
      "_acme-challenge.www IN CNAME _acme-challenge.acme-delegate.test.");
  BindEnv bind(bind_options);
  LogCapture log;
  Dns01Solver solver(make_rfc2136_provider(rfc2136_options(bind)), check_through(bind), log.sink());
  const auto task = dns_task("www.example.test", "tok-cname");
  solver.present(task);
  const std::string target = "_acme-challenge.acme-delegate.test.";
  CHECK(bind.txt(target) == Strings{dns01_txt_value(task.key_authorization)});
  CHECK(log.contains("_acme-challenge.www.example.test. is a CNAME to " + target));
  solver.wait_until_visible(task);
  CHECK(log.contains("zone acme-delegate.test."));
  solver.cleanup(task);
  CHECK(bind.txt(target).empty());
}

namespace {

/// Forwards to the real rfc2136 provider and, at the first cleanup, notes which TXT values BIND
/// serves at that name: by then every present() of the order has run and Pebble has validated.
class WatchingProvider : public DnsProvider {
 public:
  WatchingProvider(std::shared_ptr<DnsProvider> inner, const BindEnv& bind)
      : inner_(std::move(inner)), bind_(bind) {}
  std::string name() const override { return inner_->name(); }
  void present(const std::string& fqdn, const std::string& value) override {
    inner_->present(fqdn, value);
  }
  void cleanup(const std::string& fqdn, const std::string& value) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!seen_at_first_cleanup_) seen_at_first_cleanup_ = bind_.txt(fqdn);
    }
    inner_->cleanup(fqdn, value);
  }
  Strings seen_at_first_cleanup() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_at_first_cleanup_.value_or(Strings{});
  }

 private:
  std::shared_ptr<DnsProvider> inner_;
  const BindEnv& bind_;
  std::mutex mutex_;
  std::optional<Strings> seen_at_first_cleanup_;
};

}  // namespace

TEST_CASE("end to end: Pebble validates *.example.test and example.test on BIND's records") {
  BindEnv bind;
  PebbleOptions pebble_options;
  pebble_options.authz_reuse_percent = 0;
  pebble_options.dns_server = bind.address();
  PebbleEnv pebble(pebble_options);
  TempDir dir;

  auto provider =
      std::make_shared<WatchingProvider>(make_rfc2136_provider(rfc2136_options(bind)), bind);
  LogCapture log;
  ManagerConfig config;
  config.acme.directory_url = pebble.directory_url();
  config.acme.ca_bundle = pebble.ca_bundle().string();
  config.agree_tos = true;
  config.account_key_type = KeyType::ec256;
  config.store = std::make_shared<AcmeJsonStore>((dir / "acme.json").string());
  config.resolver = "dns";
  config.solvers = {std::make_shared<Dns01Solver>(provider, check_through(bind), log.sink())};
  CertManager manager(config);

  const auto issued = manager.obtain({"*.example.test", "example.test"});
  CHECK(issued.record.main == "*.example.test");
  CHECK(issued.info.dns_names.size() == 2);
  // Both values were served together at the one name, and nothing is left afterwards.
  CHECK(provider->seen_at_first_cleanup().size() == 2);
  CHECK(bind.txt("_acme-challenge.example.test.").empty());
  CHECK(log.contains("waiting for TXT _acme-challenge.example.test."));
  // Pebble looked the TXT records up on BIND, not on challtestsrv.
  CHECK(pebble.pebble_log().find("Using custom DNS resolver for ACME challenges: " +
                                 bind.address()) != std::string::npos);
}
