// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// A Store kept in Redis, shared by several nodes (processes, machines): RedisStore.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/api.hpp"
#include "acmecpp/store.hpp"

namespace acmecpp {

/// Where a RedisStore connects and how. hiredis 0.14 (Debian's) has no TLS: use Redis on a
/// private network, through its unix socket, or through a TLS tunnel (stunnel, spiped).
struct ACMECPP_API RedisOptions {
  std::string host = "127.0.0.1";  ///< TCP host, when unix_socket is empty
  std::uint16_t port = 6379;
  std::string unix_socket;  ///< a path: connect there instead of host:port
  /// AUTH: the password alone (Redis' requirepass), or with `user` an ACL user's. Never printed.
  std::string user;
  std::string password;
  int db = 0;                   ///< SELECT
  std::string prefix = "acme";  ///< every key starts with "<prefix>:"
  /// Connecting gives up after this long, and so does a command that gets no answer.
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
  /// How long a name lock outlives a holder that stopped refreshing it (killed, cut off). The
  /// holder extends it every third of this while it lives.
  std::chrono::milliseconds lock_ttl{30000};
  /// How often a watch of the certificates (watch_certificates) tells its user to read
  /// everything again: the safety net for a change notice lost in flight.
  std::chrono::milliseconds watch_resync{std::chrono::minutes(5)};

  /// The place as a URL with the password masked ("redis://ops:***@10.0.0.5:6379/2?prefix=acme"),
  /// as every message of the store names it.
  std::string printable_url() const;
};

/// True when `store` is a Redis URL ("redis://" or "redis+unix://"), not a file path.
ACMECPP_API bool is_redis_url(std::string_view store);

/// Parses `redis://[user[:password]@]host[:port][/db][?prefix=P]` or
/// `redis+unix:///path/to/socket[?db=N&prefix=P]` (user and password percent-decoded; an IPv6
/// host in brackets). Throws Error(invalid_input) naming what is wrong, with the password masked.
ACMECPP_API RedisOptions parse_redis_url(const std::string& url);

/// The store at `place`, as a proxy or a tool names it in its configuration: a Redis URL
/// (is_redis_url) gives a RedisStore, which is pinged so that an unreachable Redis is reported
/// here (Error(storage)) rather than mid-command; its password, when the URL has none, comes from
/// the environment variable named `password_variable` (keeping it out of a process listing), when
/// that is set. Anything else is the path of an acme.json, opened with `file_options`.
ACMECPP_API std::shared_ptr<Store> open_store(
    const std::string& place, AcmeJsonStoreOptions file_options = {},
    const std::string& password_variable = "ACMECPP_REDIS_PASSWORD");

/// Accounts, certificates, locks and the cache area in Redis, under RedisOptions::prefix
/// ("P" below; "<resolver>" and "<main>" with '%' and ':' percent-encoded):
/// @verbatim
///   P:resolvers                 sorted set of resolver names, scored by when first saved
///   P:account:<resolver>        the account: the JSON of its acme.json "Account" object
///   P:certs:<resolver>          set of the lower-cased main names of the resolver's certificates
///   P:cert:<resolver>:<main>    one certificate: the JSON of its acme.json "Certificates" element
///                               (with the "acmecpp" member), keyed by its lower-cased main name
///   P:order:<resolver>:<main>   the order in flight for that certificate (PendingOrder): one JSON
///                               object as in acme.json's "acmecpp"."orders", its key included
///   P:lock:<resolver>:<main>    a name lock: a random token, with an expiry (SET NX PX)
///   P:cache:<key>               the cache area (the CA's directory)
///   P:changes                   the pub/sub channel of change notices: "<resolver>\n<main>"
///                               for each certificate stored or removed
///   P:challenge:<type>:<key>    a challenge proof any node answers with (shared_challenges()),
///                               e.g. P:challenge:http-01:<token>, with an expiry
/// @endverbatim
/// Every write is one MULTI/EXEC, so nothing is half-written. One connection,
/// guarded by a mutex, made at first use: a command that cannot reach Redis throws
/// Error(storage) naming the printable URL and what failed, and the next call connects again.
/// Thread-safe, and shared by every process and node that uses the same Redis and prefix.
class ACMECPP_API RedisStore : public Store {
 public:
  /// Does not connect yet (the first call does). Throws Error(invalid_input) for options that
  /// cannot work (an empty host, a lock_ttl under 100 ms, a watch_resync under 1 s).
  explicit RedisStore(RedisOptions options);
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  const RedisOptions& options() const;
  /// Connects now (if not connected) and sends PING: Error(storage) when Redis cannot be used.
  void ping() const;

  std::vector<std::string> resolvers() const override;
  std::optional<AccountRecord> load_account(const std::string& resolver) const override;
  void save_account(const std::string& resolver, const AccountRecord& account) override;
  std::vector<CertificateRecord> certificates(const std::string& resolver) const override;
  std::vector<CertificateRecord> certificates_named(const std::string& resolver,
                                                    const std::string& main) const override;
  void save_certificate(const std::string& resolver, const CertificateRecord& cert) override;
  bool remove_certificate(const std::string& resolver, const std::string& main) override;
  std::optional<PendingOrder> load_pending_order(const std::string& resolver,
                                                 const std::string& main) const override;
  void save_pending_order(const std::string& resolver, const PendingOrder& order) override;
  bool remove_pending_order(const std::string& resolver, const std::string& main) override;
  /// Key P:server:RESOLVER (docs/STORES.md), written at once even inside a batch.
  std::string load_server(const std::string& resolver) const override;
  void save_server(const std::string& resolver, const std::string& url) override;
  /// `SET P:lock:<resolver>:<main> <random token> NX PX <lock_ttl>`, tried again every 50 ms
  /// until `timeout`; while the lock lives a thread of this store extends it (only if it still
  /// holds the token), and releasing it deletes the key only if it still holds the token (a
  /// script), so a lock that lapsed and was taken by another node is never deleted by the first.
  std::unique_ptr<NameLock> lock_name(const std::string& resolver, const std::string& main,
                                      std::chrono::milliseconds timeout) override;
  /// SUBSCRIBE P:changes on a connection and a thread of its own; every write of certificates
  /// PUBLISHes there in its MULTI/EXEC. After an outage it connects again (backoff 100 ms doubling
  /// to 5 s) and calls with empty names, and so it does every RedisOptions::watch_resync.
  std::unique_ptr<StoreWatch> watch_certificates(CertificateChangeCallback changed) override;
  /// "P:challenge:<type>:<key>" (SET with PX; removed by a compare-and-delete script), on a
  /// connection of its own, made at first use.
  std::shared_ptr<SharedChallenges> shared_challenges() override;
  /// "P:cache:<key>". Never throws; a Redis that cannot be reached keeps nothing.
  std::optional<std::string> load_cached(const std::string& key) const override;
  void save_cached(const std::string& key, const std::string& value) noexcept override;
  /// Batches as Store describes them: the changes are kept in this object (its readers see
  /// them) and written by the outermost commit as one MULTI/EXEC.
  void begin_batch() override;
  void commit_batch() override;
  void flush_batch() override;

  /// How many writes (single commands or MULTI/EXECs of records) this object has sent, and how
  /// many of its callers wait for a name lock now (for tests and diagnostics).
  std::size_t writes() const;
  std::size_t lock_waiters() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;  // also held by live locks, which may outlive the store
};

}  // namespace acmecpp
