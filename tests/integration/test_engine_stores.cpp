// SPDX-License-Identifier: Apache-2.0
// The maintenance engine (CertManager::maintain(), the pass start() repeats) against a real Pebble,
// run on Traefik's acme.json (AcmeJsonStore), on an in-memory Store and on Redis (RedisStore).
// Nothing in the engine may assume the file: obtaining, renewing, name locks between two managers,
// batches written once, the backoff of failed orders and failed renewals, and the store's cache
// area.

#include <doctest/doctest.h>

#include <dirent.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "acmecpp/redis_store.hpp"
#include "support/event_log.hpp"
#include "support/issuing_fixture.hpp"
#include "support/memory_store.hpp"
#include "support/redis_server.hpp"
#include "support/text_count.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;
using Result = UpkeepOutcome::Result;
using Order = MaintainOptions::Order;

namespace stores {

/// Traefik's file, as acmectl and most proxies use it.
struct FileStoreKind {
  std::shared_ptr<AcmeJsonStore> store;
  std::string path;

  explicit FileStoreKind(const IssuingFixture& f)
      : store(std::make_shared<AcmeJsonStore>(f.store_path())), path(f.store_path()) {}
  std::size_t writes() const { return store->files_written(); }
  /// What another process reads now.
  std::vector<CertificateRecord> written(const std::string& resolver) const {
    return AcmeJsonStore(path).certificates(resolver);
  }
  /// How many descriptors of this process have the name's lock file open (the test's own lock
  /// is one; a manager waiting for it opens another).
  std::size_t lock_users(const std::string& resolver, const std::string& main) const {
    const auto lock_file =
        std::filesystem::path(path + ".locks") / (resolver + "--" + main + ".lock");
    std::size_t users = 0;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code error;
      if (std::filesystem::read_symlink(fd.path(), error) == lock_file) ++users;
    }
    return users;
  }
  bool someone_waits(const std::string& resolver, const std::string& main) const {
    return lock_users(resolver, main) >= 2;
  }
};

/// The second backend: proves that the engine works through the interface alone.
struct MemoryStoreKind {
  std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();

  explicit MemoryStoreKind(const IssuingFixture&) {}
  std::size_t writes() const { return store->writes(); }
  std::vector<CertificateRecord> written(const std::string& resolver) const {
    return store->written_certificates(resolver);
  }
  bool someone_waits(const std::string&, const std::string&) const {
    return store->lock_waiters() > 0;
  }
};

/// Redis (a real redis-server on loopback), as several nodes share it.
struct RedisKind {
  RedisServer server;
  std::shared_ptr<RedisStore> store = std::make_shared<RedisStore>(server.options());

  explicit RedisKind(const IssuingFixture&) {}
  std::size_t writes() const { return store->writes(); }
  /// What another node reads now.
  std::vector<CertificateRecord> written(const std::string& resolver) const {
    return RedisStore(server.options()).certificates(resolver);
  }
  bool someone_waits(const std::string&, const std::string&) const {
    return store->lock_waiters() > 0;
  }
};

}  // namespace stores

namespace {

using stores::FileStoreKind;
using stores::MemoryStoreKind;
using stores::RedisKind;

template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

ManagedCertificate spec(std::vector<std::string> names, EventLog* log = nullptr) {
  ManagedCertificate certificate;
  certificate.names = std::move(names);
  if (log) certificate.on_event = log->callback();
  return certificate;
}

const CertificateRecord* find(const std::vector<CertificateRecord>& records,
                              const std::string& main) {
  for (const auto& record : records) {
    if (record.main == main) return &record;
  }
  return nullptr;
}

std::size_t count(const std::vector<UpkeepOutcome>& outcomes, Result result) {
  return static_cast<std::size_t>(std::count_if(
      outcomes.begin(), outcomes.end(), [result](const auto& o) { return o.result == result; }));
}

PebbleOptions exact_pebble() {
  PebbleOptions options;
  options.authz_reuse_percent = 0;   // every order needs its own validation
  options.nonce_reject_percent = 0;  // one newOrder is one line in Pebble's log
  return options;
}

/// A Pebble counting exactly, a store of the kind under test, and a manager configuration
/// (resolver "proxy", HTTP-01 through the fixture's listener) using that store.
template <typename Kind>
struct Setup {
  IssuingFixture f{exact_pebble()};
  Kind kind{f};
  ManagerConfig config = with_store(f.config(), kind.store);

  static ManagerConfig with_store(ManagerConfig config, std::shared_ptr<Store> store) {
    config.store = std::move(store);
    return config;
  }
};

}  // namespace

TEST_CASE_TEMPLATE("engine: missing certificates are obtained once, then left alone until due",
                   Kind, FileStoreKind, MemoryStoreKind, RedisKind) {
  Setup<Kind> setup;
  auto& f = setup.f;
  auto& kind = setup.kind;
  auto& config = setup.config;
  CertManager manager(config);
  EventLog events;
  manager.manage(spec({"One.Engine.test", "www.one.engine.test"}, &events));
  manager.manage(spec({"two.engine.test"}, &events));

  const auto first = manager.maintain();
  REQUIRE(first.size() == 2);
  CHECK(first[0].names == std::vector<std::string>{"one.engine.test", "www.one.engine.test"});
  CHECK(count(first, Result::obtained) == 2);
  for (const auto& outcome : first) {
    REQUIRE(outcome.issued.has_value());
    CHECK_FALSE(outcome.stored);
  }
  const auto stored = kind.store->certificates("proxy");
  REQUIRE(stored.size() == 2);
  REQUIRE(find(stored, "one.engine.test") != nullptr);
  CHECK(find(stored, "one.engine.test")->sans == std::vector<std::string>{"www.one.engine.test"});
  CHECK(events.of_type(CertificateEventType::issued) == 2);
  CHECK(f.pebble.new_order_requests() == 2);

  const auto second = manager.maintain();
  CHECK(count(second, Result::not_due) == 2);
  for (const auto& outcome : second) CHECK(outcome.stored);
  CHECK(f.pebble.new_order_requests() == 2);
  // The CA's directory went through the store's cache area, whatever the store is.
  const auto cached = kind.store->load_cached("directory.json");
  REQUIRE(cached.has_value());
  CHECK(cached->find(f.pebble.directory_url()) != std::string::npos);
}

TEST_CASE_TEMPLATE(
    "engine: renew_all in a batch writes the store once and tells events after that write", Kind,
    FileStoreKind, MemoryStoreKind, RedisKind) {
  Setup<Kind> setup;
  auto& f = setup.f;
  auto& kind = setup.kind;
  auto& config = setup.config;
  CertManager manager(config);
  std::vector<std::string> mains{"a.batch.engine.test", "b.batch.engine.test",
                                 "c.batch.engine.test"};
  for (const auto& main : mains) manager.manage(spec({main}));
  REQUIRE(count(manager.maintain(), Result::obtained) == 3);
  const auto before = kind.store->certificates("proxy");

  // Each event must find its certificate already written (what a hook reading the store sees).
  std::atomic<int> seen_written{0}, seen_unwritten{0};
  std::vector<ManagedCertificate> specs;
  for (const auto& main : mains) {
    auto certificate = spec({main});
    certificate.on_event = [&](const CertificateEvent& event) {
      REQUIRE(event.certificate != nullptr);
      const auto written = kind.written("proxy");
      const auto* record = find(written, event.names.front());
      const bool there =
          record != nullptr && record->certificate_pem == event.certificate->certificate_pem;
      ++(there ? seen_written : seen_unwritten);
    };
    specs.push_back(std::move(certificate));
  }
  manager.set_managed(specs);
  const std::size_t writes_before = kind.writes();
  MaintainOptions options;
  options.order = Order::renew_all;
  options.batch = true;
  options.concurrency = 2;
  const auto renewed = manager.maintain(options);
  CHECK(count(renewed, Result::renewed) == 3);
  CHECK(kind.writes() - writes_before == 1);
  CHECK(seen_written == 3);
  CHECK(seen_unwritten == 0);
  const auto after = kind.written("proxy");
  for (const auto& main : mains) {
    REQUIRE(find(after, main) != nullptr);
    CHECK(find(after, main)->certificate_pem != find(before, main)->certificate_pem);
  }
  CHECK(f.pebble.new_order_requests() == 6);
}

TEST_CASE_TEMPLATE("engine: a name whose lock another holder keeps is left for later", Kind,
                   FileStoreKind, MemoryStoreKind, RedisKind) {
  Setup<Kind> setup;
  auto& f = setup.f;
  auto& kind = setup.kind;
  auto& config = setup.config;
  config.lock_wait = 200ms;
  CertManager manager(config);
  manager.manage(spec({"locked.engine.test"}));
  {
    const auto held = kind.store->lock_name("proxy", "locked.engine.test", 1s);
    REQUIRE(held);
    const auto busy = manager.maintain();
    REQUIRE(busy.size() == 1);
    CHECK(busy[0].result == Result::busy);
    CHECK(f.pebble.new_order_requests() == 0);
    CHECK(kind.store->certificates("proxy").empty());
  }
  CHECK(count(manager.maintain(), Result::obtained) == 1);
}

TEST_CASE_TEMPLATE(
    "on-demand: stop() ends an issuance that waits for a name lock another holder keeps", Kind,
    FileStoreKind, MemoryStoreKind) {
  Setup<Kind> setup;
  auto& f = setup.f;
  auto& kind = setup.kind;
  auto& config = setup.config;
  config.lock_wait = 60s;  // the same wait as the engine's; stop() must not sit it out
  config.on_demand.allow = [](std::string_view) { return true; };
  config.on_demand.wait = 60s;
  CertManager manager(config);
  const auto held = kind.store->lock_name("proxy", "held.ondemand.test", 1s);
  REQUIRE(held);
  std::shared_ptr<const ServingCertificate> served;
  std::thread handshake([&] { served = manager.certificate_for("held.ondemand.test"); });
  const bool waits = eventually([&] { return kind.someone_waits("proxy", "held.ondemand.test"); });
  const auto stopping = std::chrono::steady_clock::now();
  manager.stop();
  const auto stop_took = std::chrono::steady_clock::now() - stopping;
  handshake.join();
  REQUIRE(waits);
  CHECK(stop_took < 2s);
  CHECK(served == nullptr);
  CHECK(f.pebble.new_order_requests() == 0);
}

TEST_CASE_TEMPLATE(
    "engine: two managers on one store: the one that waited for the lock finds the work done", Kind,
    FileStoreKind, MemoryStoreKind, RedisKind) {
  Setup<Kind> setup;
  auto& f = setup.f;
  auto& kind = setup.kind;
  auto& config = setup.config;
  config.lock_wait = 30s;
  CertManager first(config);
  CertManager second(config);
  first.manage(spec({"shared.engine.test"}));
  REQUIRE(count(first.maintain(), Result::obtained) == 1);
  const auto original = kind.store->certificates("proxy").at(0);

  // `first` decides to renew, then waits for the lock the test holds; meanwhile `second`
  // renews (as another process would, under no lock of ours), and only then is the lock free.
  auto held = kind.store->lock_name("proxy", "shared.engine.test", 1s);
  REQUIRE(held);
  std::vector<UpkeepOutcome> waited;
  std::thread waiting([&] {
    MaintainOptions options;
    options.order = Order::renew_all;
    waited = first.maintain(options);
  });
  const bool first_waits =
      eventually([&] { return kind.someone_waits("proxy", "shared.engine.test"); });
  if (first_waits) second.renew(original);
  held.reset();
  waiting.join();
  REQUIRE(first_waits);
  REQUIRE(waited.size() == 1);
  CHECK(waited[0].result == Result::done_elsewhere);
  CHECK(waited[0].detail == "renewed by another process");
  CHECK(f.pebble.new_order_requests() == 2);  // the first order and second's renewal only
}

TEST_CASE_TEMPLATE(
    "engine: failed orders back off in memory (retry_now forgets them), failed renewals are "
    "counted in the store",
    Kind, FileStoreKind, MemoryStoreKind, RedisKind) {
  Setup<Kind> setup;
  auto& f = setup.f;
  auto& kind = setup.kind;
  auto& config = setup.config;
  // A handler that no listener serves: Pebble cannot validate these names.
  auto unreachable = std::make_shared<Http01Handler>();
  CertManager manager(config);
  auto failing = spec({"fails.engine.test"});
  failing.solvers = {unreachable};
  manager.manage(failing);

  const auto failed = manager.maintain();
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].result == Result::failed);
  CHECK_FALSE(failed[0].detail.empty());
  CHECK(failed[0].retry_in == 60s);
  const auto backing_off = manager.maintain();
  CHECK(backing_off[0].result == Result::backing_off);
  CHECK(backing_off[0].retry_in > 50s);
  CHECK(f.pebble.new_order_requests() == 1);
  manager.retry_now();
  CHECK(manager.maintain()[0].result == Result::failed);
  CHECK(f.pebble.new_order_requests() == 2);

  // A stored certificate whose renewal fails: counted with the certificate in the store, which
  // keeps the certificate; the next pass is held back by that count, not by memory.
  manager.set_managed({spec({"kept.engine.test"})});
  REQUIRE(manager.maintain()[0].result == Result::obtained);
  const auto original = kind.store->certificates("proxy").at(0);
  auto renew_failing = spec({"kept.engine.test"});
  renew_failing.solvers = {unreachable};
  manager.set_managed({renew_failing});
  MaintainOptions force;
  force.order = Order::renew_all;
  const auto renewal = manager.maintain(force);
  CHECK(renewal[0].result == Result::failed);
  CHECK(renewal[0].stored);
  const auto after = kind.store->certificates("proxy");
  REQUIRE(after.size() == 1);
  CHECK(after[0].certificate_pem == original.certificate_pem);
  CHECK(after[0].renewal.failed_attempts == 1);
  CHECK(after[0].renewal.last_error == renewal[0].detail);
  // The next pass reads that count back from the store (whichever store it is): how it holds a
  // due certificate back is test_renewal_policy's matter.
  const std::size_t orders = f.pebble.new_order_requests();
  CHECK(manager.maintain()[0].result == Result::not_due);
  CHECK(f.pebble.new_order_requests() == orders);
}

TEST_CASE_TEMPLATE(
    "engine: managers registering at the same moment on one store register one account", Kind,
    FileStoreKind, MemoryStoreKind, RedisKind) {
  Setup<Kind> setup;
  auto& f = setup.f;
  auto& kind = setup.kind;
  // As several processes (nodes) starting at once: each manager has its own in-process account
  // mutex, so only the store's account lock keeps them from registering one account each.
  constexpr int kManagers = 4;
  std::vector<std::unique_ptr<CertManager>> managers;
  for (int i = 0; i < kManagers; ++i)
    managers.push_back(std::make_unique<CertManager>(setup.config));
  std::vector<std::string> urls(kManagers);
  std::vector<std::string> errors(kManagers);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kManagers; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready < kManagers) std::this_thread::yield();
      try {
        urls[i] = managers[i]->ensure_account(CertManager::AccountCheck::trust_store, nullptr).url;
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kManagers; ++i) CHECK_MESSAGE(errors[i].empty(), errors[i]);
  const auto log = f.pebble.pebble_log();
  CHECK_MESSAGE(count_occurrences(log, "POST /sign-me-up") == 1, log);
  const auto stored = kind.store->load_account("proxy");
  REQUIRE(stored);
  for (const auto& url : urls) CHECK(url == stored->uri);
}
