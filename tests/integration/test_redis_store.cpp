// SPDX-License-Identifier: Apache-2.0
// RedisStore against a real redis-server (tests/support/redis_server.hpp): records kept as the
// JSON of their acme.json entries, batches, the cache area, AUTH and unix sockets, name locks
// between holders (token-checked release, refresh, a killed holder), and an outage.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include <nlohmann/json.hpp>

#include "acmecpp/redis_store.hpp"
#include "store/redis_connection.hpp"
#include "support/error_message.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

AccountRecord sample_account() {
  AccountRecord account;
  account.email = "ops@example.test";
  account.uri = "https://ca.example.test/acct/17";
  account.registration_body = R"({"status":"valid","contact":["mailto:ops@example.test"]})";
  account.private_key_der = std::string("\x30\x82\x01\x0a\x00\xff secret", 14);
  account.key_type = "P256";
  return account;
}

CertificateRecord sample_certificate(const std::string& main, const std::string& pem = "one") {
  CertificateRecord certificate;
  certificate.main = main;
  certificate.sans = {"www." + main, "api." + main};
  certificate.certificate_pem =
      "-----BEGIN CERTIFICATE-----\n" + pem + "\n-----END CERTIFICATE-----\n";
  certificate.key_pem = "-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n";
  certificate.renewal.failed_attempts = 2;
  certificate.renewal.last_error = "the CA said no";
  certificate.renewal.last_failure = std::chrono::system_clock::time_point(1700000000s);
  certificate.renewal.ari_cert_id = "aGVsbG8.d29ybGQ";
  return certificate;
}

void check_same(const CertificateRecord& a, const CertificateRecord& b) {
  CHECK(a.main == b.main);
  CHECK(a.sans == b.sans);
  CHECK(a.certificate_pem == b.certificate_pem);
  CHECK(a.key_pem == b.key_pem);
  CHECK(a.store == b.store);
  CHECK(a.renewal == b.renewal);
}

void check_same(const AccountRecord& a, const AccountRecord& b) {
  CHECK(a.email == b.email);
  CHECK(a.uri == b.uri);
  CHECK(nlohmann::json::parse(a.registration_body) == nlohmann::json::parse(b.registration_body));
  CHECK(a.private_key_der == b.private_key_der);
  CHECK(a.key_type == b.key_type);
}

/// The raw value of a key, read without the store.
std::optional<std::string> raw_value(const RedisServer& server, const std::string& key) {
  store::RedisConnection connection(server.options());
  const auto reply = connection.command({"GET", key});
  if (reply->type == REDIS_REPLY_NIL) return std::nullopt;
  return store::reply_text(*reply);
}

}  // namespace

TEST_CASE("redis store: each record is the JSON of its acme.json entry, and reads back whole") {
  RedisServer server;
  RedisStore redis(server.options("edge"));
  TempDir dir;
  AcmeJsonStore file((dir / "acme.json").string());

  const auto account = sample_account();
  const auto certificate = sample_certificate("Shop.Example.test");
  for (Store* store : {static_cast<Store*>(&redis), static_cast<Store*>(&file)}) {
    store->save_account("le", account);
    store->save_certificate("le", certificate);
  }
  REQUIRE(redis.load_account("le"));
  check_same(*redis.load_account("le"), account);
  const auto stored = redis.certificates("le");
  REQUIRE(stored.size() == 1);
  check_same(stored[0], certificate);
  CHECK(redis.resolvers() == std::vector<std::string>{"le"});

  // The same JSON as the acme.json entries, "acmecpp" member included; the certificate keyed by
  // its lower-cased main name.
  const auto document = nlohmann::json::parse(read_text_file(dir / "acme.json"));
  const auto account_value = raw_value(server, "edge:account:le");
  REQUIRE(account_value);
  CHECK(nlohmann::json::parse(*account_value) == document["le"]["Account"]);
  const auto certificate_value = raw_value(server, "edge:cert:le:shop.example.test");
  REQUIRE(certificate_value);
  const auto entry = nlohmann::json::parse(*certificate_value);
  CHECK(entry == document["le"]["Certificates"][0]);
  CHECK(entry.contains("acmecpp"));
}

TEST_CASE("redis store: lookups by name, replacement, removal, resolvers and the cache area") {
  RedisServer server;
  RedisStore store(server.options());
  store.save_certificate("a", sample_certificate("one.test"));
  store.save_certificate("a", sample_certificate("two.test"));
  store.save_certificate("b:odd%name", sample_certificate("one.test", "other"));
  CHECK(store.resolvers() == std::vector<std::string>{"a", "b:odd%name"});
  CHECK(store.certificates("a").size() == 2);
  CHECK(store.certificates("b:odd%name").size() == 1);
  CHECK_FALSE(store.load_account("a"));

  store.save_certificate("a", sample_certificate("ONE.test", "renewed"));
  const auto named = store.certificates_named("a", "One.Test");
  REQUIRE(named.size() == 1);
  CHECK(named[0].main == "ONE.test");
  CHECK(named[0].certificate_pem.find("renewed") != std::string::npos);
  CHECK(store.certificates("a").size() == 2);

  CHECK(store.remove_certificate("a", "one.TEST"));
  CHECK_FALSE(store.remove_certificate("a", "one.test"));
  CHECK(store.certificates_named("a", "one.test").empty());
  CHECK(store.certificates("a").size() == 1);
  CHECK(store.certificates("b:odd%name").size() == 1);  // another resolver's is kept

  // Another store object (another node) on the same Redis and prefix sees all of it; another
  // prefix sees nothing.
  RedisStore other(server.options());
  CHECK(other.certificates("a").size() == 1);
  RedisStore elsewhere(server.options("elsewhere"));
  CHECK(elsewhere.resolvers().empty());

  CHECK_FALSE(store.load_cached("directory.json"));
  store.save_cached("directory.json", R"({"newNonce":"x"})");
  CHECK(other.load_cached("directory.json") == std::optional<std::string>(R"({"newNonce":"x"})"));
  CHECK(raw_value(server, "acme:cache:directory.json"));
  CHECK_THROWS_AS(store.load_cached("Bad/Key"), Error);
}

TEST_CASE("redis store: a batch is written once, and this object's readers see it before") {
  RedisServer server;
  RedisStore store(server.options());
  RedisStore other(server.options());
  const auto writes_before = store.writes();
  {
    Store::Batch batch(store);
    store.save_account("le", sample_account());
    store.save_certificate("le", sample_certificate("a.test"));
    store.save_certificate("le", sample_certificate("b.test"));
    CHECK(store.remove_certificate("le", "b.test"));
    CHECK(store.certificates("le").size() == 1);
    CHECK(store.load_account("le"));
    CHECK(store.resolvers() == std::vector<std::string>{"le"});
    CHECK(other.resolvers().empty());
    CHECK(other.certificates("le").empty());
    batch.commit();
  }
  CHECK(store.writes() - writes_before == 1);
  CHECK(other.certificates("le").size() == 1);
  CHECK(other.load_account("le"));
}

TEST_CASE("redis store: AUTH with a password or an ACL user, and a unix socket with SELECT") {
  SUBCASE("requirepass") {
    RedisServer server({"pass-word", "", ""});
    RedisStore store(server.options());
    store.save_certificate("le", sample_certificate("auth.test"));
    CHECK(store.certificates("le").size() == 1);
    auto wrong = server.options();
    wrong.password = "not-it";
    const auto message =
        error_message_of(ErrorKind::storage, [&] { RedisStore(wrong).resolvers(); });
    CHECK(message.find("AUTH") != std::string::npos);
    CHECK(message.find("not-it") == std::string::npos);
    CHECK(message.find("redis://:***@127.0.0.1:") != std::string::npos);
  }
  SUBCASE("ACL user") {
    RedisServer server({"", "acme-node", "acl-secret"});
    RedisStore store(server.options());
    store.save_account("le", sample_account());
    CHECK(store.load_account("le"));
    auto wrong = server.options();
    wrong.password = "nope";
    CHECK(error_message_of(ErrorKind::storage, [&] {
            RedisStore(wrong).ping();
          }).find("redis://acme-node:***@") != std::string::npos);
  }
  SUBCASE("unix socket, database 5") {
    RedisServer server;
    const auto options =
        parse_redis_url("redis+unix://" + server.socket().string() + "?db=5&prefix=u");
    RedisStore store(options);
    store.save_certificate("le", sample_certificate("socket.test"));
    CHECK(RedisStore(options).certificates("le").size() == 1);
    // Database 0 of the same server holds nothing of it.
    CHECK(RedisStore(server.options("u")).certificates("le").empty());
  }
}

TEST_CASE("redis store: two holders contend for a name lock, and only the holder releases it") {
  RedisServer server;
  auto options = server.options();
  options.lock_ttl = 1000ms;
  RedisStore first(options);
  RedisStore second(options);

  auto held = first.lock_name("le", "contended.test", 1s);
  REQUIRE(held);
  const auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(second.lock_name("le", "contended.test", 300ms));
  CHECK(std::chrono::steady_clock::now() - started >= 300ms);  // it waited, then gave up
  CHECK(second.lock_name("le", "other.test", 0ms));            // another name is free
  CHECK(first.lock_name("other-resolver", "contended.test", 0ms));

  // The waiter gets it as soon as the holder lets go.
  std::atomic<bool> got{false};
  std::thread waiter([&] { got = second.lock_name("le", "contended.test", 10s) != nullptr; });
  REQUIRE(eventually([&] { return second.lock_waiters() == 1; }));
  held.reset();
  waiter.join();
  CHECK(got);
}

TEST_CASE("redis store: a lapsed lock taken by another is not deleted by the first holder") {
  RedisServer server;
  auto options = server.options();
  options.lock_ttl = 1000ms;
  RedisStore first(options);
  RedisStore second(options);
  auto held = first.lock_name("le", "lapsed.test", 1s);
  REQUIRE(held);
  // The first holder's lock lapses as if it had stopped refreshing it: the key is deleted by
  // hand (as its expiry would), and the second takes it.
  store::RedisConnection(options).command({"DEL", "acme:lock:le:lapsed.test"});
  auto taken = second.lock_name("le", "lapsed.test", 1s);
  REQUIRE(taken);
  const auto token = raw_value(server, "acme:lock:le:lapsed.test");
  REQUIRE(token);
  held.reset();  // the first releases: the second's lock must survive
  CHECK(raw_value(server, "acme:lock:le:lapsed.test") == token);
  CHECK_FALSE(first.lock_name("le", "lapsed.test", 0ms));
  taken.reset();
  CHECK_FALSE(raw_value(server, "acme:lock:le:lapsed.test"));
  CHECK(first.lock_name("le", "lapsed.test", 0ms));
}

TEST_CASE("redis store: the holder's refresh keeps a lock past its TTL") {
  RedisServer server;
  auto options = server.options();
  options.lock_ttl = 600ms;
  RedisStore holder(options);
  RedisStore other(options);
  auto held = holder.lock_name("le", "long-work.test", 1s);
  REQUIRE(held);
  // Four TTLs later it is still held.
  CHECK_FALSE(other.lock_name("le", "long-work.test", 2400ms));
  CHECK(raw_value(server, "acme:lock:le:long-work.test"));
  held.reset();
  CHECK(other.lock_name("le", "long-work.test", 0ms));
}

TEST_CASE("redis store: a holder killed with SIGKILL lets another take the lock after the TTL") {
  RedisServer server;
  TempDir dir;
  const auto output = dir / "holder.out";
  ChildProcess holder({ACMECPP_REDIS_LOCK_HOLDER_PATH, std::to_string(server.port()), "acme", "le",
                       "killed.test", "1500"},
                      {}, output);
  REQUIRE(eventually([&] {
    try {
      return read_text_file(output).find("locked") != std::string::npos;
    } catch (const Error&) {
      return false;
    }
  }));
  auto options = server.options();
  RedisStore other(options);
  CHECK_FALSE(other.lock_name("le", "killed.test", 0ms));
  holder.kill(SIGKILL);
  REQUIRE(holder.wait(5s));
  // Nobody refreshes it now: it lapses after at most its TTL, and the other takes it.
  CHECK(other.lock_name("le", "killed.test", 5s));
}

TEST_CASE(
    "redis store: Redis stopped: Error(storage) naming the masked URL, at once, and once restarted "
    "the store works again") {
  RedisServer server({"outage-secret", "", ""});
  RedisStore store(server.options());
  store.save_certificate("le", sample_certificate("kept.test"));
  server.stop();
  const auto started = std::chrono::steady_clock::now();
  const auto message = error_message_of(ErrorKind::storage, [&] { store.certificates("le"); });
  CHECK(message.find("redis://:***@127.0.0.1:" + std::to_string(server.port())) !=
        std::string::npos);
  CHECK(message.find("outage-secret") == std::string::npos);
  CHECK(error_message_of(ErrorKind::storage, [&] {
          store.save_certificate("le", sample_certificate("new.test"));
        }).find("connecting failed") != std::string::npos);
  CHECK_THROWS_AS(store.lock_name("le", "kept.test", 100ms), Error);
  CHECK_FALSE(store.load_cached("directory.json"));  // a cache never fails its user
  CHECK(std::chrono::steady_clock::now() - started < 10s);

  server.start();  // empty again: nothing is saved to disk
  store.save_certificate("le", sample_certificate("back.test"));
  CHECK(store.certificates("le").size() == 1);
}

TEST_CASE(
    "redis store: a pending order round-trips under P:order, and ends with its certificate "
    "in one transaction") {
  RedisServer server;
  RedisStore store(server.options());
  RedisStore other(server.options());
  PendingOrder order;
  order.order_url = "https://ca.example.test/order/9";
  order.names = {"a.test", "www.a.test"};
  order.account_url = "https://ca.example.test/acct/17";
  order.key_pem = "-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n";
  order.profile = "shortlived";
  order.created = std::chrono::system_clock::time_point(1700000000s);
  CHECK_FALSE(store.load_pending_order("le", "a.test"));
  CHECK_FALSE(store.remove_pending_order("le", "a.test"));
  store.save_pending_order("le", order);
  CHECK(raw_value(server, "acme:order:le:a.test"));
  const auto loaded = other.load_pending_order("le", "A.TEST");
  REQUIRE(loaded);
  CHECK(*loaded == order);

  const auto writes_before = store.writes();
  {
    Store::Batch batch(store);
    store.save_certificate("le", sample_certificate("a.test"));
    CHECK(store.remove_pending_order("le", "a.test"));
    CHECK_FALSE(store.load_pending_order("le", "a.test"));  // seen here before the commit
    CHECK(other.load_pending_order("le", "a.test"));
    batch.commit();
  }
  CHECK(store.writes() - writes_before == 1);
  CHECK_FALSE(other.load_pending_order("le", "a.test"));
  CHECK_FALSE(raw_value(server, "acme:order:le:a.test"));
  CHECK(other.certificates("le").size() == 1);
}
