// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// CertManager: the management layer. Given names, it returns a certificate from the store or
/// obtains one from the ACME server (account, order, challenges, finalize, download, store).

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/api.hpp"
#include "acmecpp/certificate.hpp"
#include "acmecpp/certificate_cache.hpp"
#include "acmecpp/events.hpp"
#include "acmecpp/key.hpp"
#include "acmecpp/log.hpp"
#include "acmecpp/metrics.hpp"
#include "acmecpp/renewal.hpp"
#include "acmecpp/solver.hpp"
#include "acmecpp/store.hpp"

namespace acmecpp {

/// Issuance for names first seen in a handshake (certmagic's "on-demand TLS"). Off unless
/// `allow` is set.
struct ACMECPP_API OnDemandPolicy {
  /// Decides whether a name the manager does not manage may get a certificate; called on the
  /// handshake's thread, must be thread-safe and quick. A refused name never reaches the CA.
  std::function<bool(std::string_view name)> allow;
  /// How long certificate_for() waits for an issuance it started or found under way; zero: it
  /// returns nullptr at once (the handshake fails fast) and a later handshake gets the
  /// certificate. Also the longest a handshake paused by certificate_async() stays paused.
  std::chrono::milliseconds wait{0};
  /// Token bucket over new on-demand orders, so a flood of random names cannot exhaust the CA's
  /// limits: at most `burst` at once, refilled by one every `refill_interval`. Names over the
  /// limit are refused (logged once per name) and may be tried again by a later handshake.
  std::size_t burst = 10;
  std::chrono::milliseconds refill_interval{std::chrono::seconds(6)};
  /// Issuances allowed to be queued or running at once; beyond it names are refused.
  std::size_t max_pending = 16;
};

/// A certificate just obtained, as stored, and what it says.
struct ACMECPP_API IssuedCertificate {
  CertificateRecord record;
  CertificateInfo info;
};

/// One certificate a CertManager keeps (manage()), with what may differ from the manager's
/// configuration. Unset members take the manager's.
struct ACMECPP_API ManagedCertificate {
  std::vector<std::string> names;  ///< main name first; validated and normalised by manage()
  /// Solvers for this certificate only; empty: ManagerConfig::solvers.
  std::vector<std::shared_ptr<Solver>> solvers;
  /// Challenge type per name for this certificate; names not listed follow
  /// ManagerConfig::challenge_for_name.
  std::map<std::string, std::string> challenge_for_name;
  /// Type of the key of a newly obtained certificate; unset: ManagerConfig::key_type. A
  /// renewal keeps the type of the key it replaces.
  std::optional<KeyType> key_type;
  /// Profile of its orders; unset: ManagerConfig::profile, else (renewing) the profile the
  /// stored certificate was ordered with (RenewalState::profile).
  std::optional<std::string> profile;
  /// Stored with the certificate each time it is obtained or renewed (RenewalState::settings).
  std::map<std::string, std::vector<std::string>> kept_settings;
  /// Told of this certificate's events (issued, renewed, failed) after ManagerConfig::on_event.
  /// Inside a batch (MaintainOptions::batch) only once the store holds the new certificate.
  CertificateEventCallback on_event;
};

struct UpkeepOutcome;

/// How one maintain() call (or one pass of the background work) handles its certificates.
struct ACMECPP_API MaintainOptions {
  enum class Order {
    when_due,    ///< obtain missing certificates, renew due ones (the background work)
    renew_all,   ///< also renew stored certificates that are not due
    obtain_all,  ///< order every certificate anew, stored or not, as obtain() does
  };
  Order order = Order::when_due;
  /// Decide, lock and look again, but order nothing: due ones come back as would_renew.
  bool dry_run = false;
  /// Certificates handled at once (at least 1).
  unsigned concurrency = 1;
  /// Hold the store's writes in a Store::Batch: one write for the whole call (and one every
  /// 30 s of a long one). Name locks of changed certificates and the certificates' own events
  /// are held back until the store was written.
  bool batch = false;
  /// Overrides ManagerConfig::renewal_days for this call.
  std::optional<int> renewal_days;
  /// Told of each certificate's outcome as soon as it is known (progress), on the thread that
  /// handled it, so possibly on several threads at once; inside a batch before the store was
  /// written. maintain() still returns every outcome. An exception it throws is caught and logged.
  std::function<void(const UpkeepOutcome&)> on_outcome;
};

/// What one maintain() call (or background pass) did with one managed certificate.
struct ACMECPP_API UpkeepOutcome {
  enum class Result {
    not_due,         ///< stored and not due: nothing done (detail: why not)
    obtained,        ///< not stored (or MaintainOptions::Order::obtain_all): obtained now
    renewed,         ///< due (or renew_all): renewed now
    would_renew,     ///< dry run: due, and would have been renewed
    failed,          ///< obtaining or renewing failed (detail: the error); the store is as it was
    busy,            ///< another process held its lock longer than ManagerConfig::lock_wait
    done_elsewhere,  ///< another process stored or renewed it while this one waited for the lock
    backing_off,     ///< obtaining failed before; not tried again before retry_in has passed
    stopped,         ///< stop() came before it was handled
  };
  std::vector<std::string> names;  ///< normalised, main name first
  Result result = Result::not_due;
  /// Whether the certificate was stored when the pass looked (so a failure was a renewal's).
  bool stored = false;
  std::string detail;
  /// obtained, renewed: the new certificate as stored.
  std::optional<IssuedCertificate> issued;
  /// failed (obtaining), backing_off: how long until obtaining it is tried again. A failed
  /// renewal's backoff is kept with the stored certificate (RenewalState) and reported as not_due
  /// until it ends.
  std::chrono::milliseconds retry_in{0};
};

/// Called after each pass of the background work with what it did and the wait before the next.
using PassCallback = std::function<void(const std::vector<UpkeepOutcome>& outcomes,
                                        std::chrono::milliseconds next_pass)>;

struct ACMECPP_API ManagerConfig {
  /// acme.stop: once stop is requested on it, the manager's work under way is cancelled as by
  /// stop(), and every later request of the manager ends with Error(cancelled) too (the
  /// background thread itself runs until stop()).
  acme::ClientOptions acme;
  std::string email;  ///< contact for the account; may be empty
  /// Must be true to register a new account with a CA that publishes terms of service.
  bool agree_tos = false;
  std::optional<acme::ExternalAccountBinding> eab;
  KeyType key_type = KeyType::ec256;  ///< type of new certificate keys
  /// Type of a newly created account key. RSA 4096 is what Traefik creates, and the only kind
  /// Traefik itself can read back from acme.json (it parses PKCS#1).
  KeyType account_key_type = KeyType::rsa4096;
  std::shared_ptr<Store> store;          ///< required
  std::string resolver = "letsencrypt";  ///< the store section (Traefik's resolver name)
  /// The solvers available. For each authorization the caller's choice in `challenge_for_name`
  /// wins; otherwise the most preferred type the server offers: tls-alpn-01, http-01, dns-01.
  std::vector<std::shared_ptr<Solver>> solvers;
  /// Challenge type per name, e.g. {"*.example.com": "dns-01", "example.com": "http-01"}.
  std::map<std::string, std::string> challenge_for_name;
  /// Which challenge type to use when the server offers several that have a solver.
  std::vector<std::string> challenge_preference{"tls-alpn-01", "http-01", "dns-01"};
  /// When set, the chain whose topmost certificate is issued by a CA with this common name is
  /// kept instead of the server's default (compared case-insensitively).
  std::string preferred_chain;
  LogSink log = null_log_sink();
  /// Certificate profile for new orders (draft-ietf-acme-profiles), e.g. "shortlived"; empty:
  /// the server's default. When the directory does not list it, orders fail with Error(config)
  /// naming the profiles it offers.
  std::string profile;
  /// Told of every certificate obtain() issued, renew() renewed, and of their failures.
  CertificateEventCallback on_event;

  /// Background work after start(): how often managed certificates are checked (and once at
  /// start), and how many days before expiry they are renewed (see decide_renewal()). A check
  /// also comes earlier when a certificate falls due or a backoff ends before the interval is
  /// over; never more often than once a second. A regular check comes at a random moment of the
  /// interval's second half, so that clients started together do not ask the CA together.
  std::chrono::seconds check_interval{std::chrono::hours(12)};
  int renewal_days = kAutomaticRenewalDays;
  OnDemandPolicy on_demand;
  /// How long obtaining or renewing a certificate waits for another holder (another process,
  /// another node) of the store's lock for its name; then the certificate is left for a later
  /// pass (UpkeepOutcome::Result::busy).
  std::chrono::milliseconds lock_wait{std::chrono::minutes(2)};
  /// Told after each pass of the background work (start()); see PassCallback.
  PassCallback on_pass;
  /// Told of each certificate's outcome as a pass of the background work handles it (as
  /// MaintainOptions::on_outcome is for maintain()), before on_pass; called from the pass's
  /// threads, so it must be thread-safe; an exception from it is logged and ignored.
  std::function<void(const UpkeepOutcome&)> on_outcome;
};

/// Thread-safe: several obtain() calls may run at once (they share one ACME client).
///
/// A CertManager is one resolver's account at one CA plus the one maintenance engine of the
/// library: the certificates it manages are obtained, renewed and served by the same code
/// whether start()'s thread, maintain() (a cron job's pass) or an embedding proxy drives it.
class ACMECPP_API CertManager {
 public:
  /// Throws Error(config) when the config lacks a store.
  explicit CertManager(ManagerConfig config);
  ~CertManager();
  CertManager(const CertManager&) = delete;
  CertManager& operator=(const CertManager&) = delete;

  /// How far to trust an account kept in the store.
  enum class AccountCheck {
    trust_store,   ///< use a stored account of this server as it is (no request)
    ask_server,    ///< confirm a stored key's account with the server (onlyReturnExisting)
    register_new,  ///< as ask_server, and a deactivated stored account is replaced by a new one
  };

  /// The resolver's account: from the store, otherwise found by the stored key or newly
  /// registered, and then saved. `created` is set when a new one was registered. A stored
  /// account that was deactivated is never replaced behind the operator's back: only
  /// AccountCheck::register_new registers a new one; otherwise Error(config) names it.
  acme::Account ensure_account(AccountCheck check = AccountCheck::trust_store,
                               bool* created = nullptr);

  /// Orders a certificate for `names` (validated and normalised first; the first name becomes
  /// "main"), proves control of each with the configured solvers, stores it and returns it. On
  /// any failure the store is left as it was and the error is thrown.
  IssuedCertificate obtain(const std::vector<std::string>& names);
  /// The same for `certificate`'s names with its own choices (solvers, key type, profile, the
  /// settings kept with it); its on_event is not called (ManagerConfig::on_event is).
  IssuedCertificate obtain(const ManagedCertificate& certificate);

  /// Obtains a new certificate for the names of `current` (a stored certificate) with a new key
  /// of the same type, and stores it in its place, keeping its TLS store. When the directory
  /// offers ARI the order names the certificate it replaces ("replaces"); a server that answers
  /// alreadyReplaced gets the order again without it. A failure is counted in the stored entry's
  /// RenewalState (for the backoff of check_renewal()), reported to on_event and thrown.
  IssuedCertificate renew(const CertificateRecord& current);

  /// Whether `certificate` should be renewed at `now` (see decide_renewal() in renewal.hpp). The
  /// renewal state is taken from the store when the certificate is stored (so a stale copy of the
  /// record does no harm). When the directory offers ARI and what is stored is missing or older
  /// than its Retry-After allows, ARI is fetched and the window, with a random moment chosen in
  /// it once, is saved to the store. ARI that cannot be fetched is logged, not thrown: the
  /// decision then rests on what is known.
  RenewalDecision check_renewal(const CertificateRecord& certificate,
                                std::chrono::system_clock::time_point now,
                                int days = kAutomaticRenewalDays);
  /// check_renewal(...).due
  bool is_due(const CertificateRecord& certificate, std::chrono::system_clock::time_point now,
              int days = kAutomaticRenewalDays);

  /// Who signs a revocation request.
  enum class RevocationSigner {
    account,          ///< the resolver's account (it must have issued the certificate)
    certificate_key,  ///< the certificate's own key, from the record (works without account)
  };
  /// Revokes the certificate (RFC 8555 section 7.6). `reason`: an RFC 5280 code (revocation.hpp).
  /// The store is not changed: remove or renew the certificate as the situation asks.
  void revoke(const CertificateRecord& certificate, std::optional<int> reason = std::nullopt,
              RevocationSigner signer = RevocationSigner::account);

  /// Replaces the account key with a new one of the same type (RFC 8555 section 7.3.5) and
  /// stores it. Should the store refuse the new key, the server is switched back to the old one
  /// and Error(storage) thrown. Run it while no other request of this manager is under way.
  void rollover_account_key();
  /// Deactivates the account for good and records its new status in the store; the next
  /// operation that needs an account registers a new one (with a new key).
  acme::Account deactivate_account();
  /// Sets the account's contact to "mailto:<email>" (none when empty) and stores the email.
  acme::Account update_account_email(const std::string& email);

  /// Requests sent to the ACME server so far.
  acme::RequestStats request_stats() const;

  // --- Serving certificates to a TLS server (see tls_server.hpp) ---

  /// Keeps a certificate for `names` (one certificate, the first name its main name) from now
  /// on: loaded from the store when there, obtained in the background after start() when not,
  /// renewed when due. Names are validated at once (Error(invalid_input)). Calling it again with
  /// the same main name replaces that entry's names. Thread-safe, also after start().
  void manage(const std::vector<std::string>& names);
  /// The same with this certificate's own choices (solvers, key type, profile, events).
  void manage(ManagedCertificate certificate);
  /// Replaces every managed certificate by these (a reloaded configuration). A certificate
  /// managed before with the same names keeps the backoff of its failures. Validates every
  /// entry first and changes nothing when one is invalid (Error(invalid_input)).
  void set_managed(const std::vector<ManagedCertificate>& certificates);
  /// The operator's "fixed it": forgets the failures of certificates never obtained (their
  /// backoff) and, after start(), checks at once.
  void retry_now();

  /// One pass over the managed certificates on the calling thread, as the background work does
  /// after start(), with these options: missing ones are obtained, due ones renewed, each under
  /// the store's lock for its name and after reading the store again (another process or node
  /// may have done it meanwhile). Returns each certificate's outcome, ordered by main name.
  /// Failures of single certificates are outcomes, not exceptions; a store that cannot be read
  /// at all throws. Runs alongside the background work safely (the name locks serialise them).
  std::vector<UpkeepOutcome> maintain(const MaintainOptions& options = {});

  /// Starts the background thread: fills certificates() from the store, obtains missing managed
  /// certificates, renews due ones, and repeats every check_interval. Failures are logged,
  /// reported to on_event and retried with a backoff (1 min, 10 min, 100 min, then daily), never
  /// thrown from the thread. Throws Error(config) when already started.
  /// The store is read into certificates() before start() returns (so a proxy serves what is
  /// stored from its first handshake); a store that cannot be read throws here (Error(storage)).
  /// With an on-demand policy, stored single-name certificates whose name it allows (issued on
  /// demand before a restart) are managed too, so that they are renewed. Another process using
  /// the same store is respected: each order or renewal holds the store's lock for its name.
  /// A store that sends change notices (Store::watch_certificates: RedisStore) is watched until
  /// stop(): a certificate another node stores is served here soon after, one it removes is no
  /// longer served, and after a notice may have been lost (an outage, and periodically) every
  /// stored certificate that is new or changed is taken up (nothing is dropped then).
  void start();
  /// Cancels the work under way (the order in hand, on-demand issuances, and obtain()/renew()
  /// calls running on other threads end with Error(cancelled): their requests are aborted and
  /// their waits cut short), stops the thread and waits for it; idempotent. Returns within about
  /// a second whatever the CA does (a wait for another process's store lock, or a DNS query, may
  /// hold it longer). A cancelled order is neither reported as failed nor backed off. Called by
  /// the destructor. Queued on-demand issuances are dropped, and none starts until the next
  /// start(); the manager may be used, and started, again afterwards.
  void stop();

  /// The certificates this manager serves, updated atomically whenever one is issued or renewed.
  /// Hand it to TlsServerOptions::certificates.
  std::shared_ptr<const CertificateCache> certificates() const;

  /// For a handshake's SNI name: the cached certificate, otherwise (on-demand policy set and the
  /// name allowed and within the rate limit) an issuance is started in the background and
  /// waited for at most on_demand.wait. nullptr when there is nothing to serve. Never throws.
  /// A name that is not a valid DNS name (or is a wildcard) is refused before the policy is
  /// asked; the policy sees the normalised name (A-labels, lower case). Names of managed
  /// certificates are left to the background work. A certificate issued on demand is stored and
  /// managed (renewed) from then on; a failed issuance backs its name off as start() describes.
  /// Works before start() too.
  std::shared_ptr<const ServingCertificate> certificate_for(std::string_view server_name);

  /// certificate_for() for an event-loop server, without blocking; hand it to
  /// TlsServerOptions::on_unknown_name_async. The cached certificate, or the one whose on-demand
  /// issuance has just ended; or pending, when an issuance for the name is under way (started
  /// now or earlier) and on_demand.wait is not zero: then `ready` is called exactly once, on a
  /// thread of this manager, when the certificate is in certificates() or the issuance failed,
  /// when on_demand.wait has passed, or at stop(), whichever comes first; otherwise neither
  /// (the same refusals as certificate_for()). Never throws; what `ready` throws is logged.
  UnknownNameAnswer certificate_async(std::string_view server_name, std::function<void()> ready);

  /// A snapshot for monitoring (render it with render_prometheus()): the certificates stored
  /// under this manager's resolver (an entry whose PEM does not parse is left out), the
  /// obtain()/renew() calls by result, when check_renewal() last ran (wall-clock time of the
  /// call, not its `now`), and request_stats(). Counts start at zero with the manager. Reads the
  /// store; throws what it throws.
  Metrics metrics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace acmecpp
