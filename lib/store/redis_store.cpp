// SPDX-License-Identifier: Apache-2.0
// RedisStore: the records as the JSON of their acme.json entries (acme_json_records), written
// in MULTI/EXEC transactions, name locks with a token that a thread of the store keeps alive.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "acmecpp/error.hpp"
#include "acmecpp/redis_store.hpp"
#include "acmecpp/stop_token.hpp"
#include "core/ascii.hpp"
#include "store/acme_json_records.hpp"
#include "store/acme_json_text.hpp"
#include "store/pending_order_json.hpp"
#include "store/redis_challenges.hpp"
#include "store/redis_connection.hpp"
#include "store/redis_watch.hpp"

namespace acmecpp {

using store::RedisCommand;
using store::RedisReplyPtr;

namespace {

/// Extends a lock only while it still holds the holder's token.
constexpr const char* kRefreshScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

constexpr auto kLockPoll = std::chrono::milliseconds(50);
/// Values fetched with one MGET.
constexpr std::size_t kFetchChunk = 256;

/// 128 random bits in hex: a lock holder's token.
std::string random_token() {
  std::random_device device;
  static const char* hex = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 4; ++i) {
    const auto word = static_cast<std::uint32_t>(device());
    for (int shift = 28; shift >= 0; shift -= 4) token += hex[(word >> shift) & 0xf];
  }
  return token;
}

std::string now_millis() {
  using namespace std::chrono;
  return std::to_string(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::string account_text(const AccountRecord& account) {
  store::Json object = store::new_account_object();
  store::write_account(object, account);
  return store::serialize_acme_json(object);
}

std::string certificate_text(const CertificateRecord& certificate) {
  store::Json entry = store::new_certificate_object();
  store::write_certificate(entry, certificate);
  return store::serialize_acme_json(entry);
}

/// Entries without certificate or key are skipped, as Traefik (and AcmeJsonStore) skip them.
bool usable(const CertificateRecord& record) {
  return !record.certificate_pem.empty() && !record.key_pem.empty();
}

}  // namespace

struct RedisStore::Shared {
  explicit Shared(RedisOptions options) : connection(std::move(options)) {}
  ~Shared() {
    stop.request_stop();
    if (refresher.joinable()) refresher.join();
  }

  const RedisOptions& options() const { return connection.options(); }
  std::string key(const std::string& kind) const { return options().prefix + ":" + kind; }
  std::string key(const std::string& kind, const std::string& resolver) const {
    return key(kind) + ":" + store::redis_key_part(resolver);
  }
  std::string cert_key(const std::string& resolver, const std::string& lower_main) const {
    return key("cert", resolver) + ":" + store::redis_key_part(lower_main);
  }
  std::string order_key(const std::string& resolver, const std::string& lower_main) const {
    return key("order", resolver) + ":" + store::redis_key_part(lower_main);
  }
  std::string place(const std::string& what) const {
    return "Redis at " + connection.url() + ", " + what;
  }

  store::RedisConnection connection;
  const std::shared_ptr<store::RedisChallenges> challenges =
      std::make_shared<store::RedisChallenges>(connection.options());

  // Records: changes of an open batch, which this object's readers see before Redis does.
  mutable std::mutex records_mutex;
  int batch_depth = 0;
  std::map<std::string, AccountRecord> pending_accounts;
  /// (resolver, lower-case main) -> the record, or nullopt for a removal.
  std::map<std::pair<std::string, std::string>, std::optional<CertificateRecord>> pending_certs;
  /// (resolver, lower-case main) -> the order's JSON text, or nullopt for a removal.
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> pending_orders;
  std::size_t writes = 0;

  // Locks held by this object's users, which the refresher extends.
  struct Held {
    std::string key;
    std::string token;
  };
  std::mutex locks_mutex;
  std::map<std::uint64_t, Held> held;
  std::uint64_t next_lock = 0;
  StopSource stop;  // ends the refresher's wait at once
  std::thread refresher;
  std::atomic<std::size_t> waiters{0};

  /// With records_mutex held: one MULTI/EXEC of every pending change, if any.
  void write_pending() {
    if (!has_pending()) return;
    std::vector<RedisCommand> commands;
    const std::string resolvers = key("resolvers");
    const std::string stamp = now_millis();
    for (const auto& [resolver, account] : pending_accounts) {
      commands.push_back({"SET", key("account", resolver), account_text(account)});
      commands.push_back({"ZADD", resolvers, "NX", stamp, resolver});
    }
    for (const auto& [id, certificate] : pending_certs) {
      const auto& [resolver, main] = id;
      if (certificate) {
        commands.push_back({"SET", cert_key(resolver, main), certificate_text(*certificate)});
        commands.push_back({"SADD", key("certs", resolver), main});
        commands.push_back({"ZADD", resolvers, "NX", stamp, resolver});
      } else {
        commands.push_back({"DEL", cert_key(resolver, main)});
        commands.push_back({"SREM", key("certs", resolver), main});
      }
      commands.push_back({"PUBLISH", key("changes"), store::change_notice(resolver, main)});
    }
    for (const auto& [id, order] : pending_orders) {
      const std::string order_key_name = order_key(id.first, id.second);
      if (order) {
        commands.push_back({"SET", order_key_name, *order});
      } else {
        commands.push_back({"DEL", order_key_name});
      }
    }
    connection.transaction(commands);
    ++writes;
    clear_pending();
  }

  bool has_pending() const {
    return !pending_accounts.empty() || !pending_certs.empty() || !pending_orders.empty();
  }

  void clear_pending() {
    pending_accounts.clear();
    pending_certs.clear();
    pending_orders.clear();
  }

  /// With records_mutex held, after a change was added to the pending ones (`had_pending`: were
  /// there any before): written now outside a batch, at the commit inside one. A change outside
  /// a batch that cannot be written is forgotten (its caller learns it failed), unless it joined
  /// a failed batch's changes, which are kept for the next write as Store says.
  void changed(bool had_pending) {
    if (batch_depth > 0) return;
    try {
      write_pending();
    } catch (...) {
      if (!had_pending) clear_pending();
      throw;
    }
  }

  std::optional<CertificateRecord> parse_certificate(const redisReply& reply,
                                                     const std::string& key_name) const {
    if (reply.type == REDIS_REPLY_NIL) return std::nullopt;
    const std::string where = place("key " + key_name);
    const auto entry = store::parse_acme_json(store::reply_text(reply), where);
    if (!entry.is_object()) throw Error(ErrorKind::storage, where + ": not a JSON object");
    auto record = store::read_certificate(entry, where);
    if (!usable(record)) return std::nullopt;
    return record;
  }

  void start_refresher() {
    if (refresher.joinable()) return;
    refresher = std::thread([this] { refresh_loop(); });
  }

  /// Extends every held lock every third of its TTL. Never throws: a lock it cannot extend
  /// lapses after the TTL, as a dead holder's does.
  void refresh_loop() noexcept {
    const auto period = std::max(options().lock_ttl / 3, std::chrono::milliseconds(10));
    const std::string ttl = std::to_string(options().lock_ttl.count());
    const StopToken stopped = stop.token();
    while (stopped.wait_for(period)) {
      std::map<std::uint64_t, Held> locks;
      try {
        std::lock_guard<std::mutex> guard(locks_mutex);
        locks = held;
      } catch (...) {
        continue;  // out of memory: tried again next period
      }
      for (const auto& [id, one] : locks) {
        try {
          const auto reply =
              connection.command({"EVAL", kRefreshScript, "1", one.key, one.token, ttl});
          if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 0) {
            // Lapsed and maybe taken by another: no longer ours to extend.
            std::lock_guard<std::mutex> guard(locks_mutex);
            held.erase(id);
          }
        } catch (...) {
          // Redis unreachable (or out of memory): tried again next period.
        }
      }
    }
  }
};

namespace {

/// Releases through the store's shared state, which it keeps alive.
class RedisNameLock : public NameLock {
 public:
  explicit RedisNameLock(std::function<void()> release) : release_(std::move(release)) {}
  ~RedisNameLock() override { release_(); }

 private:
  std::function<void()> release_;
};

}  // namespace

RedisStore::RedisStore(RedisOptions options) {
  if (options.unix_socket.empty() && options.host.empty()) {
    throw Error(ErrorKind::invalid_input, "RedisOptions: the host is empty");
  }
  if (options.lock_ttl < std::chrono::milliseconds(100)) {
    throw Error(ErrorKind::invalid_input, "RedisOptions: lock_ttl must be at least 100 ms");
  }
  if (options.watch_resync < std::chrono::seconds(1)) {
    throw Error(ErrorKind::invalid_input, "RedisOptions: watch_resync must be at least 1 s");
  }
  if (options.prefix.empty()) {
    throw Error(ErrorKind::invalid_input, "RedisOptions: the prefix is empty");
  }
  shared_ = std::make_shared<Shared>(std::move(options));
}

RedisStore::~RedisStore() = default;

const RedisOptions& RedisStore::options() const {
  return shared_->options();
}

void RedisStore::ping() const {
  shared_->connection.command({"PING"});
}

std::vector<std::string> RedisStore::resolvers() const {
  const auto reply = shared_->connection.command({"ZRANGE", shared_->key("resolvers"), "0", "-1"});
  std::vector<std::string> names;
  for (std::size_t i = 0; i < reply->elements; ++i) {
    names.push_back(store::reply_text(*reply->element[i]));
  }
  std::lock_guard<std::mutex> guard(shared_->records_mutex);
  auto add = [&](const std::string& resolver) {
    if (std::find(names.begin(), names.end(), resolver) == names.end()) names.push_back(resolver);
  };
  for (const auto& [resolver, account] : shared_->pending_accounts) add(resolver);
  for (const auto& [id, certificate] : shared_->pending_certs) {
    if (certificate) add(id.first);
  }
  return names;
}

std::optional<AccountRecord> RedisStore::load_account(const std::string& resolver) const {
  {
    std::lock_guard<std::mutex> guard(shared_->records_mutex);
    const auto pending = shared_->pending_accounts.find(resolver);
    if (pending != shared_->pending_accounts.end()) return pending->second;
  }
  const std::string key = shared_->key("account", resolver);
  const auto reply = shared_->connection.command({"GET", key});
  if (reply->type == REDIS_REPLY_NIL) return std::nullopt;
  const std::string where = shared_->place("key " + key);
  const auto object = store::parse_acme_json(store::reply_text(*reply), where);
  if (!object.is_object()) throw Error(ErrorKind::storage, where + ": not a JSON object");
  return store::read_account(object, where);
}

void RedisStore::save_account(const std::string& resolver, const AccountRecord& account) {
  account_text(account);  // refuses a record that cannot be written before it is kept
  std::lock_guard<std::mutex> guard(shared_->records_mutex);
  const bool had_pending = shared_->has_pending();
  shared_->pending_accounts[resolver] = account;
  shared_->changed(had_pending);
}

std::vector<CertificateRecord> RedisStore::certificates(const std::string& resolver) const {
  const auto members = shared_->connection.command({"SMEMBERS", shared_->key("certs", resolver)});
  std::vector<std::string> mains;
  for (std::size_t i = 0; i < members->elements; ++i) {
    mains.push_back(store::reply_text(*members->element[i]));
  }
  std::sort(mains.begin(), mains.end());
  std::map<std::string, CertificateRecord> found;
  for (std::size_t start = 0; start < mains.size(); start += kFetchChunk) {
    RedisCommand mget{"MGET"};
    const std::size_t end = std::min(mains.size(), start + kFetchChunk);
    for (std::size_t i = start; i < end; ++i) mget.push_back(shared_->cert_key(resolver, mains[i]));
    const auto values = shared_->connection.command(mget);
    for (std::size_t i = 0; i < values->elements; ++i) {
      if (auto record = shared_->parse_certificate(*values->element[i], mget[i + 1])) {
        found.emplace(mains[start + i], std::move(*record));
      }
    }
  }
  {
    std::lock_guard<std::mutex> guard(shared_->records_mutex);
    for (const auto& [id, certificate] : shared_->pending_certs) {
      if (id.first != resolver) continue;
      if (certificate) {
        found[id.second] = *certificate;
      } else {
        found.erase(id.second);
      }
    }
  }
  std::vector<CertificateRecord> records;
  records.reserve(found.size());
  for (auto& [main, record] : found) records.push_back(std::move(record));
  return records;
}

std::vector<CertificateRecord> RedisStore::certificates_named(const std::string& resolver,
                                                              const std::string& main) const {
  const std::string lower = core::ascii_lower(main);
  {
    std::lock_guard<std::mutex> guard(shared_->records_mutex);
    const auto pending = shared_->pending_certs.find({resolver, lower});
    if (pending != shared_->pending_certs.end()) {
      if (!pending->second) return {};
      return {*pending->second};
    }
  }
  const std::string key = shared_->cert_key(resolver, lower);
  const auto reply = shared_->connection.command({"GET", key});
  if (auto record = shared_->parse_certificate(*reply, key)) return {std::move(*record)};
  return {};
}

void RedisStore::save_certificate(const std::string& resolver, const CertificateRecord& cert) {
  if (cert.main.empty()) {
    throw Error(ErrorKind::invalid_input, "a certificate to store needs a main name");
  }
  certificate_text(cert);  // refuses a record that cannot be written before it is kept
  std::lock_guard<std::mutex> guard(shared_->records_mutex);
  const bool had_pending = shared_->has_pending();
  shared_->pending_certs[{resolver, core::ascii_lower(cert.main)}] = cert;
  shared_->changed(had_pending);
}

bool RedisStore::remove_certificate(const std::string& resolver, const std::string& main) {
  const std::string lower = core::ascii_lower(main);
  std::unique_lock<std::mutex> guard(shared_->records_mutex);
  bool existed = false;
  const auto pending = shared_->pending_certs.find({resolver, lower});
  if (pending != shared_->pending_certs.end()) {
    existed = pending->second.has_value();
  } else {
    const auto reply = shared_->connection.command({"EXISTS", shared_->cert_key(resolver, lower)});
    existed = reply->type == REDIS_REPLY_INTEGER && reply->integer > 0;
  }
  if (!existed) return false;
  const bool had_pending = shared_->has_pending();
  shared_->pending_certs[{resolver, lower}] = std::nullopt;
  shared_->changed(had_pending);
  return true;
}

std::optional<PendingOrder> RedisStore::load_pending_order(const std::string& resolver,
                                                           const std::string& main) const {
  const std::string lower = core::ascii_lower(main);
  const std::string key = shared_->order_key(resolver, lower);
  std::optional<std::string> text;
  {
    std::lock_guard<std::mutex> guard(shared_->records_mutex);
    const auto pending = shared_->pending_orders.find({resolver, lower});
    if (pending != shared_->pending_orders.end()) {
      if (!pending->second) return std::nullopt;
      text = pending->second;
    }
  }
  if (!text) {
    const auto reply = shared_->connection.command({"GET", key});
    if (reply->type == REDIS_REPLY_NIL) return std::nullopt;
    text = store::reply_text(*reply);
  }
  const std::string where = shared_->place("key " + key);
  return store::read_pending_order(store::parse_acme_json(*text, where), where);
}

void RedisStore::save_pending_order(const std::string& resolver, const PendingOrder& order) {
  std::string text = store::serialize_acme_json(store::pending_order_json(order));
  std::lock_guard<std::mutex> guard(shared_->records_mutex);
  const bool had_pending = shared_->has_pending();
  shared_->pending_orders[{resolver, core::ascii_lower(order.main())}] = std::move(text);
  shared_->changed(had_pending);
}

bool RedisStore::remove_pending_order(const std::string& resolver, const std::string& main) {
  const std::string lower = core::ascii_lower(main);
  std::lock_guard<std::mutex> guard(shared_->records_mutex);
  bool existed = false;
  const auto pending = shared_->pending_orders.find({resolver, lower});
  if (pending != shared_->pending_orders.end()) {
    existed = pending->second.has_value();
  } else {
    const auto reply = shared_->connection.command({"EXISTS", shared_->order_key(resolver, lower)});
    existed = reply->type == REDIS_REPLY_INTEGER && reply->integer > 0;
  }
  if (!existed) return false;
  const bool had_pending = shared_->has_pending();
  shared_->pending_orders[{resolver, lower}] = std::nullopt;
  shared_->changed(had_pending);
  return true;
}

std::string RedisStore::load_server(const std::string& resolver) const {
  const auto reply = shared_->connection.command({"GET", shared_->key("server", resolver)});
  if (reply->type == REDIS_REPLY_NIL) return {};
  return store::reply_text(*reply);
}

void RedisStore::save_server(const std::string& resolver, const std::string& url) {
  // Written at once, batch or not: a server is recorded before anything is ordered with it.
  shared_->connection.transaction(
      {{"SET", shared_->key("server", resolver), url},
       {"ZADD", shared_->key("resolvers"), "NX", now_millis(), resolver}});
}

void RedisStore::begin_batch() {
  std::lock_guard<std::mutex> guard(shared_->records_mutex);
  ++shared_->batch_depth;
}

void RedisStore::commit_batch() {
  std::lock_guard<std::mutex> guard(shared_->records_mutex);
  if (shared_->batch_depth > 0 && --shared_->batch_depth > 0) return;
  shared_->write_pending();
}

void RedisStore::flush_batch() {
  std::lock_guard<std::mutex> guard(shared_->records_mutex);
  shared_->write_pending();
}

std::size_t RedisStore::writes() const {
  std::lock_guard<std::mutex> guard(shared_->records_mutex);
  return shared_->writes;
}

std::size_t RedisStore::lock_waiters() const {
  return shared_->waiters.load();
}

std::unique_ptr<NameLock> RedisStore::lock_name(const std::string& resolver,
                                                const std::string& main,
                                                std::chrono::milliseconds timeout) {
  const std::string key = shared_->key("lock", resolver) + ":" + store::redis_key_part(main);
  const std::string token = random_token();
  const std::string ttl = std::to_string(shared_->options().lock_ttl.count());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  struct Waiting {
    std::atomic<std::size_t>& count;
    explicit Waiting(std::atomic<std::size_t>& c) : count(c) { ++count; }
    ~Waiting() { --count; }
  } waiting(shared_->waiters);
  for (;;) {
    const auto reply = shared_->connection.command({"SET", key, token, "NX", "PX", ttl});
    if (reply->type == REDIS_REPLY_STATUS) break;  // "OK"; a lock held by another is nil
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return nullptr;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(kLockPoll, deadline - now));
  }
  std::lock_guard<std::mutex> guard(shared_->locks_mutex);
  const std::uint64_t id = shared_->next_lock++;
  shared_->held[id] = Shared::Held{key, token};
  shared_->start_refresher();
  return std::make_unique<RedisNameLock>([shared = shared_, id, key, token]() noexcept {
    {
      std::lock_guard<std::mutex> held(shared->locks_mutex);
      shared->held.erase(id);
    }
    try {
      shared->connection.delete_if_equal(key, token);
    } catch (...) {
      // Unreachable: the lock lapses after its TTL.
    }
  });
}

std::unique_ptr<StoreWatch> RedisStore::watch_certificates(CertificateChangeCallback changed) {
  return std::make_unique<store::RedisWatch>(shared_->options(), shared_->key("changes"),
                                             std::move(changed));
}

std::shared_ptr<SharedChallenges> RedisStore::shared_challenges() {
  return shared_->challenges;
}

std::optional<std::string> RedisStore::load_cached(const std::string& key) const {
  check_cache_key(key);
  try {
    const auto reply = shared_->connection.command({"GET", shared_->key("cache") + ":" + key});
    if (reply->type != REDIS_REPLY_STRING) return std::nullopt;
    return store::reply_text(*reply);
  } catch (const Error&) {
    return std::nullopt;  // a cache never fails its user
  }
}

void RedisStore::save_cached(const std::string& key, const std::string& value) noexcept {
  try {
    check_cache_key(key);
    shared_->connection.command({"SET", shared_->key("cache") + ":" + key, value});
  } catch (...) {
    // Not kept this time.
  }
}

std::shared_ptr<Store> open_store(const std::string& place, AcmeJsonStoreOptions file_options,
                                  const std::string& password_variable) {
  if (!is_redis_url(place)) return std::make_shared<AcmeJsonStore>(place, std::move(file_options));
  auto options = parse_redis_url(place);
  if (options.password.empty() && !password_variable.empty()) {
    if (const char* password = std::getenv(password_variable.c_str())) options.password = password;
  }
  auto store = std::make_shared<RedisStore>(std::move(options));
  store->ping();
  return store;
}

}  // namespace acmecpp
