// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Where accounts and certificates are kept. AcmeJsonStore reads and writes Traefik's acme.json.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/api.hpp"
#include "acmecpp/shared_challenges.hpp"
#include "acmecpp/stop_token.hpp"

namespace acmecpp {

/// An ACME account as kept in the store (Traefik's "Account" object).
struct ACMECPP_API AccountRecord {
  std::string email;              ///< "Email"
  std::string uri;                ///< "Registration"."uri": the account URL (the JWS kid)
  std::string registration_body;  ///< "Registration"."body" as JSON text ("" when absent)
  std::string private_key_der;    ///< "PrivateKey" decoded: DER (PKCS#1 for RSA as Traefik writes)
  std::string key_type;           ///< "KeyType", Traefik spelling ("4096", "P256"); may be empty
};

/// What acmecpp remembers about a certificate's renewal beyond Traefik's fields. AcmeJsonStore
/// keeps it in the entry's "acmecpp" member, which Traefik ignores (and drops when Traefik itself
/// rewrites the file: then it is simply fetched again). Times are kept to the second.
struct ACMECPP_API RenewalState {
  /// ARI (RFC 9773), as last fetched for the certificate with this ARI certificate ID. Info
  /// recorded for another ID belongs to a certificate since replaced and is not used.
  std::string ari_cert_id;
  std::optional<std::chrono::system_clock::time_point> ari_window_start, ari_window_end;
  /// The random moment inside the window chosen once, so repeated checks agree on it.
  std::optional<std::chrono::system_clock::time_point> ari_selected_time;
  /// When ARI was last fetched, and the Retry-After the server sent with it.
  std::optional<std::chrono::system_clock::time_point> ari_checked_at;
  std::optional<std::chrono::seconds> ari_retry_after;
  std::string ari_explanation_url;
  /// Renewal attempts that failed in a row, and when the last one failed (for the backoff).
  int failed_attempts = 0;
  std::optional<std::chrono::system_clock::time_point> last_failure;
  std::string last_error;  ///< the last failure's message (never holds secrets)
  /// The profile the certificate was ordered with ("": the CA's default). A renewal asks for it
  /// again unless told another.
  std::string profile;
  /// The settings its owner obtained it with, under the owner's own names, so that it can be
  /// renewed the same way later (acmectl: the challenge, its ports, webroot, DNS provider and
  /// options, key type). Never secrets: the store is no place for them.
  std::map<std::string, std::vector<std::string>> settings;
  /// The earliest next attempt the CA allows: the Retry-After of its last refusal (a rateLimited
  /// problem, say). Kept in acme.json as "acmecpp"."failures"."retryNotBefore".
  std::optional<std::chrono::system_clock::time_point> retry_not_before;
  /// The URL of the account that ordered the certificate: ARI's "replaces" is sent only by it
  /// (a CA refuses it from another). Kept as "acmecpp"."account".
  std::string account_url;

  /// True when nothing is recorded (the store then writes no "acmecpp" member).
  bool empty() const;
  bool operator==(const RenewalState& other) const;
  bool operator!=(const RenewalState& other) const { return !(*this == other); }
};

/// One certificate as kept in the store (an element of Traefik's "Certificates").
struct ACMECPP_API CertificateRecord {
  std::string main;               ///< "domain"."main"
  std::vector<std::string> sans;  ///< "domain"."sans" (without main)
  std::string certificate_pem;    ///< "certificate" decoded: the PEM chain, leaf first
  std::string key_pem;            ///< "key" decoded: the PEM private key
  std::string store = "default";  ///< "Store": Traefik's TLS store name
  RenewalState renewal;           ///< "acmecpp": acmecpp's own bookkeeping (see RenewalState)

  /// main followed by sans.
  std::vector<std::string> names() const;
};

/// An order placed at the CA and not yet done (its certificate not yet stored), kept so that a
/// run that crashed, was killed or gave up polling a slow CA can take it up again instead of
/// ordering anew (each new order counts against the CA's limits). Kept per resolver under the
/// main name, one order per certificate. Holds the certificate's private key: a store keeps it as
/// privately as the certificates' keys.
struct ACMECPP_API PendingOrder {
  std::string order_url;           ///< the order's URL (its Location at newOrder)
  std::vector<std::string> names;  ///< the names ordered, main first (normalised)
  std::string account_url;         ///< the account that placed it: only that one may resume it
  std::string key_pem;             ///< the certificate's private key, made before finalize
  std::string profile;             ///< the profile ordered ("": the CA's default)
  std::string replaces;            ///< ARI's "replaces" sent with it ("": none)
  std::optional<std::chrono::system_clock::time_point> created;  ///< when it was placed
  std::optional<std::chrono::system_clock::time_point> expires;  ///< the order's "expires"

  /// names.front(), or "" when there are none.
  std::string main() const;
  bool operator==(const PendingOrder& other) const;
  bool operator!=(const PendingOrder& other) const { return !(*this == other); }
};

/// Held while one process orders or renews one certificate; released when destroyed.
class ACMECPP_API NameLock {
 public:
  virtual ~NameLock() = default;
};

/// Held while a watch of a store's certificates lasts (Store::watch_certificates); destroying it
/// ends the watch, waiting for a call in progress, so none comes after.
class ACMECPP_API StoreWatch {
 public:
  virtual ~StoreWatch() = default;
};

/// What a watch is told: the certificate `main` (lower-case) of `resolver` was stored or removed,
/// by any process or node (this one too). Both empty: anything may have changed, read everything
/// again (notices may have been missed while the watch was cut off, or its periodic re-read is
/// due). Called on a thread of the store, one call at a time; must not throw.
using CertificateChangeCallback =
    std::function<void(const std::string& resolver, const std::string& main)>;

/// Keeps accounts and certificates per resolver (a named ACME configuration, as in Traefik).
/// Implementations are safe to use from several threads and, where they say so, processes.
///
/// Everything the library needs from a store goes through this interface: records, per-name
/// locks, batches and a small cache area. Nothing in the library asks which kind of store it
/// has, so a new backend needs no change outside its own class.
class ACMECPP_API Store {
 public:
  virtual ~Store() = default;

  /// Names of the resolvers present, in the store's order.
  virtual std::vector<std::string> resolvers() const = 0;
  virtual std::optional<AccountRecord> load_account(const std::string& resolver) const = 0;
  /// Creates the resolver if needed; keeps its certificates.
  virtual void save_account(const std::string& resolver, const AccountRecord& account) = 0;
  virtual std::vector<CertificateRecord> certificates(const std::string& resolver) const = 0;
  /// The certificates whose main name equals `main` ignoring case (usually one), as
  /// certificates() would list them. This default filters certificates(); stores that can look
  /// an entry up directly override it, so that checking one certificate does not decode all.
  virtual std::vector<CertificateRecord> certificates_named(const std::string& resolver,
                                                            const std::string& main) const;
  /// Adds the certificate, or replaces the entry whose main name is the same (case-insensitive).
  virtual void save_certificate(const std::string& resolver, const CertificateRecord& cert) = 0;
  /// Removes the entry with this main name; false when there was none.
  virtual bool remove_certificate(const std::string& resolver, const std::string& main) = 0;
  /// The exclusive right to order or renew the certificate `main` of `resolver`, shared with
  /// every process (or node) using this store, so that one name is ordered once. `main` is
  /// compared as given: callers pass normalised (lower-case) names. nullptr when another holder
  /// keeps it longer than `timeout`.
  virtual std::unique_ptr<NameLock> lock_name(const std::string& resolver, const std::string& main,
                                              std::chrono::milliseconds timeout) = 0;

  /// The order in flight for the certificate `main` (compared ignoring case), if one is kept.
  /// The defaults keep none: a store that does not override these never resumes an order.
  virtual std::optional<PendingOrder> load_pending_order(const std::string& resolver,
                                                         const std::string& main) const;
  /// Keeps `order` under its main name, replacing the one kept for that name. Throws
  /// Error(invalid_input) when it has no names.
  virtual void save_pending_order(const std::string& resolver, const PendingOrder& order);
  /// Forgets the order kept for `main`; false when there was none.
  virtual bool remove_pending_order(const std::string& resolver, const std::string& main);

  /// The ACME directory URL the resolver's account and certificates belong to: the server it
  /// was first used with ("" when none is recorded, e.g. a section Traefik wrote, whose server is
  /// in Traefik's static configuration only). The defaults keep none.
  virtual std::string load_server(const std::string& resolver) const;
  /// Records `url` as the resolver's server (creating the resolver), replacing any recorded. A
  /// store may keep it until its next write: AcmeJsonStore does, so that recording a server never
  /// creates or rewrites a file on its own (a first order that fails leaves no store behind).
  virtual void save_server(const std::string& resolver, const std::string& url);

  /// The table of challenge proofs every node using this store reads, for challenges answered by
  /// whichever node the CA's validation reaches (SharedChallengeSolver puts proofs there;
  /// Http01Handler::answer_from and TlsAlpn01Responder::answer_from answer from it); nullptr
  /// when the store has none. The default has none: a file is shared by one machine's processes,
  /// which share its listeners too. The same object on every call.
  virtual std::shared_ptr<SharedChallenges> shared_challenges();

  /// Tells `changed` about the certificates other processes or nodes store, soon after they do,
  /// for as long as the returned watch lives; nullptr when the store sends no notices (then a
  /// reader reads again when it wants to be current). Returns once the watch listens, so that
  /// what is read after it returns and everything changed since is covered; when the store cannot
  /// be reached it returns all the same and keeps trying, and calls `changed` with empty names
  /// once it listens. The default sends none; RedisStore does (pub/sub).
  virtual std::unique_ptr<StoreWatch> watch_certificates(CertificateChangeCallback changed);

  /// Batches: changes made between begin_batch() and the matching commit_batch() may be written
  /// together, once, instead of one write each (a store that writes every change at once, or
  /// has nothing to gain, keeps these defaults, which do nothing). Readers of this object see
  /// the changes at once; other processes may see them only after the commit, and a crash may
  /// lose them. Batches nest: the outermost commit writes. Use Store::Batch rather than calling
  /// these directly.
  virtual void begin_batch() {}
  /// Writes what the batch changed, once, if anything. Throws Error(storage) when it cannot be
  /// written; the changes are then kept and written by the next change or commit.
  virtual void commit_batch() {}
  /// Writes what the open batch changed so far and keeps the batch open (a long batch writes now
  /// and then, so that a crash loses little). Throws as commit_batch() does.
  virtual void flush_batch() {}

  /// A small cache area for what the library keeps between processes to save requests (the
  /// CA's directory); never secrets. `key`: lower-case letters, digits, '.', '-' and '_'
  /// (Error(invalid_input) otherwise). A cache never fails its user: a value that cannot be read is
  /// nullopt, one that cannot be written is simply not kept. The defaults keep nothing.
  virtual std::optional<std::string> load_cached(const std::string& key) const;
  virtual void save_cached(const std::string& key, const std::string& value) noexcept;

  /// begin_batch() for as long as it lives; commit() writes and reports failures, the
  /// destructor commits too but can only swallow them.
  class Batch {
   public:
    explicit Batch(Store& store);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    void commit();

   private:
    Store* store_;
  };
};

/// Error(invalid_input) unless `key` is a valid key of Store's cache area.
ACMECPP_API void check_cache_key(const std::string& key);

/// What a store says when it finds its lock held by another process and starts to wait for it.
struct ACMECPP_API StoreLockWait {
  std::string lock_path;  ///< the lock file another process holds
  /// The holder's process ID when the system tells it (Linux: /proc/locks; a holder in another
  /// PID namespace is not told), else unset.
  std::optional<long> holder_pid;
  std::chrono::milliseconds timeout{0};  ///< how long the store waits at most
};

/// How AcmeJsonStore waits for the lock of its file (held by another process only for the
/// moment of a read or a write, unless that process hangs or is stopped).
struct ACMECPP_API AcmeJsonStoreOptions {
  /// Longest wait for the file's lock; then the call throws Error(busy) naming the lock file.
  std::chrono::milliseconds lock_timeout{std::chrono::minutes(5)};
  /// Called once at the start of each wait (on the waiting thread, before it waits), so that the
  /// user can say what it waits for. Must not throw.
  std::function<void(const StoreLockWait&)> on_lock_wait;
  /// A stop requested on it ends a wait with Error(cancelled).
  StopToken stop;
};

/// Traefik's acme.json. Every change is a locked read-modify-write of the whole file: an advisory
/// lock (flock on "<path>.lock") serialises processes, the new content goes to a temporary file
/// that is fsynced and renamed over the old one, and the directory is fsynced, so a crash leaves
/// either the old or the new file. The file is created with mode 0600; an existing file that
/// group or others may read is refused. Fields acmecpp does not know survive a rewrite, and other
/// resolvers' entries are left as they were. A file that does not parse is never overwritten.
/// The parsed file is kept and reused while the file's inode, size, mode and times are unchanged.
///
/// Changes made while a Batch is open are seen at once by this object's readers but written
/// together when the batch is committed: one locked read-modify-write for the whole batch (they
/// are applied again to the file as it is then, so other processes' changes are kept). Until
/// then other processes do not see them, and a crash loses them (the file stays whole).
///
/// A lock held by another process is waited for at most AcmeJsonStoreOptions::lock_timeout
/// (Error(busy) after it), and the wait is announced through AcmeJsonStoreOptions::on_lock_wait.
class ACMECPP_API AcmeJsonStore : public Store {
 public:
  /// Opens (does not yet create) the file at `path`. Throws Error(storage) when the file exists
  /// but is unreadable, too open, or not valid acme.json (the message says where it broke).
  explicit AcmeJsonStore(std::string path);
  /// The same, waiting for the file's lock as `options` say (the constructor reads the file, so
  /// it may wait and throw Error(busy) or Error(cancelled) already).
  AcmeJsonStore(std::string path, AcmeJsonStoreOptions options);
  ~AcmeJsonStore() override;

  const std::string& path() const;

  std::vector<std::string> resolvers() const override;
  std::optional<AccountRecord> load_account(const std::string& resolver) const override;
  void save_account(const std::string& resolver, const AccountRecord& account) override;
  std::vector<CertificateRecord> certificates(const std::string& resolver) const override;
  std::vector<CertificateRecord> certificates_named(const std::string& resolver,
                                                    const std::string& main) const override;
  void save_certificate(const std::string& resolver, const CertificateRecord& cert) override;
  bool remove_certificate(const std::string& resolver, const std::string& main) override;
  /// Under the resolver's "acmecpp"."orders" (Traefik ignores the member).
  std::optional<PendingOrder> load_pending_order(const std::string& resolver,
                                                 const std::string& main) const override;
  void save_pending_order(const std::string& resolver, const PendingOrder& order) override;
  bool remove_pending_order(const std::string& resolver, const std::string& main) override;
  /// Under the resolver's "acmecpp"."server" (Traefik ignores the member).
  std::string load_server(const std::string& resolver) const override;
  void save_server(const std::string& resolver, const std::string& url) override;
  /// flock on "<path>.locks/<resolver>--<main>.lock" (the directory is created mode 0700).
  std::unique_ptr<NameLock> lock_name(const std::string& resolver, const std::string& main,
                                      std::chrono::milliseconds timeout) override;

  /// Batches as Store describes them: one locked read-modify-write for the whole batch.
  void begin_batch() override;
  void commit_batch() override;
  void flush_batch() override;
  /// "<path>.<key>", written atomically without fsync (a cache), mode 0644: cache values are
  /// public information, such as the CA's directory.
  std::optional<std::string> load_cached(const std::string& key) const override;
  void save_cached(const std::string& key, const std::string& value) noexcept override;
  /// How many times this object has replaced the file (for tests and diagnostics).
  std::size_t files_written() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace acmecpp
