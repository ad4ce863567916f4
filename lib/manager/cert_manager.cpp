// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/cert_manager.hpp"

#include <mutex>
#include <random>

#include "acmecpp/error.hpp"
#include "acmecpp/names.hpp"
#include "acmecpp/printable.hpp"
#include "acmecpp/revocation.hpp"
#include "core/duration_text.hpp"
#include "core/rfc3339.hpp"
#include "crypto/issued_chain.hpp"
#include "crypto/jose.hpp"
#include "manager/authorization_flow.hpp"
#include "manager/cancellation.hpp"
#include "manager/chain_selection.hpp"
#include "manager/issuer.hpp"
#include "manager/logger.hpp"
#include "manager/metrics_counters.hpp"
#include "manager/order_options.hpp"
#include "manager/renewal_policy.hpp"
#include "manager/renewal_records.hpp"
#include "manager/serving.hpp"
#include "store/account_lock.hpp"

namespace acmecpp {
namespace {

/// "https://host:port" of a URL, to tell whether a stored account belongs to this server.
std::string origin_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto path_start = url.find('/', scheme_end + 3);
  return url.substr(0, path_start);
}

std::vector<std::string> contacts_for(const std::string& email) {
  if (email.empty()) return {};
  return {"mailto:" + email};
}

/// The ACME directory kept in the store's cache area between processes.
acme::ClientOptions::DirectoryCacheIo directory_cache_in(const std::shared_ptr<Store>& store) {
  constexpr const char* kKey = "directory.json";
  return {[store] { return store->load_cached(kKey); },
          [store](const std::string& text) { store->save_cached(kKey, text); }};
}

/// A deactivated account is never used again (the server refuses it for good).
bool is_deactivated(const AccountRecord& record) {
  const auto body = nlohmann::json::parse(record.registration_body, nullptr, false);
  return body.is_object() && body.value("status", "") == "deactivated";
}

Error deactivated_account(const std::string& url) {
  return Error(ErrorKind::config,
               "the ACME account " + printable_text(url) +
                   " is deactivated; no new account is registered unless asked for "
                   "(AccountCheck::register_new): register one to issue again");
}

/// Boulder's answer to a request signed for a deactivated (or revoked) account: unauthorized,
/// "Account is not valid, has status \"deactivated\"".
bool says_account_not_valid(const AcmeError& e) {
  const std::string& detail = e.problem().detail;
  const auto has = [&detail](const char* text) { return detail.find(text) != std::string::npos; };
  return e.problem().is("unauthorized") && has("ccount") &&
         (has("has status") || has("deactivated"));
}

/// A refusal of "replaces" that one order without it answers (RFC 9773 section 5; Boulder:
/// alreadyReplaced, unauthorized from another account, malformed for an unknown issuer or
/// names that do not match, a certificate it does not know). Not a refusal of the order
/// itself: rate limits, a server error, a nonce.
bool refuses_replaces(const AcmeError& e) {
  const Problem& p = e.problem();
  if (p.status >= 500 || p.status == 429) return false;
  return !p.is("rateLimited") && !p.is("badNonce") && !p.is("accountDoesNotExist") &&
         !p.is("rejectedIdentifier") && !p.is("serverInternal");
}

/// " (keyCompromise)" for a code the library knows, "" for another.
std::string revocation_reason_name(int code) {
  try {
    return " (" + std::string(to_string(revocation_reason_from_code(code))) + ")";
  } catch (const Error&) {
    return {};
  }
}

}  // namespace

struct CertManager::Impl : manager::Issuer {
  ManagerConfig config;
  manager::Logger log;
  acme::Client client;
  std::mutex account_mutex;
  std::optional<acme::Account> account;
  std::mutex random_mutex;
  std::mt19937_64 random{std::random_device{}()};
  manager::MetricsCounters counters;  // for metrics()
  /// Cache, managed certificates, background thread and on-demand issuance; made by
  /// CertManager's constructor (it needs the CertManager) and stopped by its destructor.
  std::unique_ptr<manager::Serving> serving;

  /// What stop() requests: the client (so every order under way) observes its token. Replaced by
  /// a fresh one after each stop(), so that the manager works, and starts, again. The caller's
  /// own token (config.acme.stop) requests it too, through caller_stop.
  mutable std::mutex stop_mutex;
  StopSource stop_source;
  std::unique_ptr<StopCallback> caller_stop;

  explicit Impl(ManagerConfig cfg) : config(std::move(cfg)), log(config.log), client(config.acme) {
    arm_stop();
  }

  void arm_stop() {
    std::lock_guard<std::mutex> lock(stop_mutex);
    caller_stop.reset();  // before the new source: the old link must not stop it
    stop_source = StopSource();
    caller_stop = std::make_unique<StopCallback>(
        config.acme.stop, [source = stop_source]() mutable { source.request_stop(); });
    client.set_stop_token(stop_source.token());
  }

  void request_stop() {
    std::lock_guard<std::mutex> lock(stop_mutex);
    stop_source.request_stop();
  }

  /// A stored account is used without asking the server when it belongs to this directory's host.
  std::optional<acme::Account> account_from_store(const AccountRecord& record,
                                                  const PrivateKey& key,
                                                  CertManager::AccountCheck check) {
    if (check == CertManager::AccountCheck::trust_store && !record.uri.empty() &&
        origin_of(record.uri) == origin_of(config.acme.directory_url)) {
      client.use_account(key, record.uri);
      log(LogLevel::debug, "using stored account {}", record.uri);
      return acme::Account{record.uri, "valid", contacts_for(record.email),
                           record.registration_body};
    }
    if (auto found = client.find_account(key)) {
      log(LogLevel::info, "found existing account {} for the stored key", found->url);
      return found;
    }
    return std::nullopt;
  }

  acme::Account register_account(const PrivateKey& key) {
    const auto& dir = client.directory();
    if (!config.agree_tos && !dir.terms_of_service.empty()) {
      throw Error(ErrorKind::config,
                  "registering an account requires agreeing to the CA's terms of "
                  "service (" +
                      dir.terms_of_service + "): set ManagerConfig::agree_tos");
    }
    if (dir.external_account_required && !config.eab) {
      throw Error(ErrorKind::config,
                  "this CA requires External Account Binding: set ManagerConfig::eab");
    }
    auto account =
        client.new_account(key, contacts_for(config.email), config.agree_tos, config.eab);
    log(LogLevel::info, "registered account {}", account.url);
    return account;
  }

  void save_account(const acme::Account& account, const PrivateKey& key,
                    const std::optional<AccountRecord>& previous) {
    AccountRecord record = previous.value_or(AccountRecord{});
    if (!config.email.empty() || record.email.empty()) record.email = config.email;
    record.uri = account.url;
    record.registration_body = account.body_json;
    record.private_key_der = key.to_der();
    if (record.key_type.empty()) record.key_type = to_traefik_key_type(config.key_type);
    config.store->save_account(config.resolver, record);
  }

  acme::Account ensure_account(CertManager::AccountCheck check, bool* created) {
    std::lock_guard<std::mutex> lock(account_mutex);
    if (created) *created = false;
    if (account && check == CertManager::AccountCheck::trust_store) return *account;
    auto record = config.store->load_account(config.resolver);
    auto deactivated_refusal = [&] {
      if (record && is_deactivated(*record) && check != CertManager::AccountCheck::register_new) {
        // A new account behind the operator's back would break CAA accounturi and "replaces".
        throw deactivated_account(record->uri);
      }
    };
    deactivated_refusal();
    auto usable = [&] {
      return record && !record->private_key_der.empty() && !is_deactivated(*record);
    };
    // A registration is made under the store's account lock, which every process (node) using
    // the store shares, and the account read again after it: one registration, not one a node.
    std::unique_ptr<NameLock> registering;
    if (!usable()) {
      registering = store::lock_account(*config.store, config.resolver, config.lock_wait);
      if (!registering) {
        throw Error(ErrorKind::storage, "another process kept the account lock of resolver \"" +
                                            config.resolver + "\" longer than " +
                                            core::duration_text(config.lock_wait));
      }
      record = config.store->load_account(config.resolver);
      deactivated_refusal();  // deactivated by another process meanwhile
    }
    const bool has_key = usable();
    const PrivateKey key = has_key ? PrivateKey::from_der(record->private_key_der)
                                   : PrivateKey::generate(config.account_key_type);
    std::optional<acme::Account> found;
    if (has_key) found = account_from_store(*record, key, check);
    if (!found) {
      found = register_account(key);
      if (created) *created = true;
    }
    if (!record || record->uri != found->url || !has_key) save_account(*found, key, record);
    account = found;
    return *account;
  }

  std::string download_preferred_chain(const acme::Order& order) {
    const auto chain = client.download_certificate(order.certificate);
    if (config.preferred_chain.empty() || chain.alternate_urls.empty()) return chain.pem;
    std::vector<std::string> chains{chain.pem};
    for (const auto& url : chain.alternate_urls) {
      chains.push_back(client.download_certificate(url).pem);
    }
    const auto index = manager::select_chain(chains, config.preferred_chain);
    log(LogLevel::debug, "chain {} of {} chosen for preferred issuer", index + 1, chains.size());
    return chains[index];
  }

  /// Finalizes at once: complete_authorizations() leaves the order "ready". Should the server not
  /// be there yet (it answers orderNotReady), the order is awaited and finalized again.
  acme::Order finalize(const acme::Order& order, const PrivateKey& cert_key,
                       const std::vector<std::string>& names) {
    const auto csr = crypto::make_csr_der(cert_key, names);
    acme::Order result;
    try {
      result = client.finalize(order, csr);
    } catch (const AcmeError& e) {
      if (!e.problem().is("orderNotReady")) throw;
      const auto ready = client.wait_order(order.url);
      if (ready.status != "ready") {
        throw AcmeError("order " + order.url + " is " + ready.status + ", not ready",
                        ready.error.value_or(Problem{}));
      }
      result = client.finalize(ready, csr);
    }
    if (result.status == "processing" || result.status == "pending") {
      return awaited_valid(order.url);
    }
    if (result.status != "valid") {
      throw AcmeError("order " + order.url + " ended " + result.status,
                      result.error.value_or(Problem{}));
    }
    return result;
  }

  /// A new order; when the stored account turns out unknown to the server (the CA was reset,
  /// say), the account is looked up by key or registered again and the order retried once.
  acme::Order new_order_with_account(const std::vector<acme::Identifier>& ids,
                                     const acme::OrderOptions& options) {
    const auto used = ensure_account(CertManager::AccountCheck::trust_store, nullptr);
    try {
      return client.new_order(ids, options);
    } catch (const AcmeError& e) {
      if (says_account_not_valid(e)) {
        throw Error(ErrorKind::config, "the CA refuses the ACME account " +
                                           printable_text(used.url) + " (" + e.problem().summary() +
                                           "); no new account is registered unless asked for: "
                                           "register one to issue again");
      }
      if (!e.problem().is("accountDoesNotExist")) throw;
      log(LogLevel::warning, "stored account unknown to the server; looking it up again");
    }
    ensure_account(CertManager::AccountCheck::ask_server, nullptr);
    return client.new_order(ids, options);
  }

  /// With the configured profile and, for a renewal, the ARI ID of the replaced certificate. A
  /// server that refuses "replaces" (already replaced by another client or an earlier attempt
  /// whose result was lost; another account; an issuer it does not know) gets exactly one order
  /// without it (RFC 9773 section 5).
  acme::Order place_order(const std::vector<acme::Identifier>& ids,
                          const std::optional<std::string>& replaces, const std::string& profile) {
    auto options = manager::order_options_for(client.directory(), profile);
    options.replaces = replaces;
    if (!replaces) return new_order_with_account(ids, options);
    try {
      return new_order_with_account(ids, options);
    } catch (const AcmeError& e) {
      if (!refuses_replaces(e)) throw;
      log(LogLevel::warning, "the CA refused \"replaces\" {} ({}); ordering without it", *replaces,
          e.problem().summary());
    }
    options.replaces.reset();
    return new_order_with_account(ids, options);
  }

  IssuedCertificate obtain(const std::vector<std::string>& requested,
                           const ManagedCertificate& choices) override {
    return with_events(requested, CertificateEventType::issued, [&] {
      return issue(requested, choices.key_type.value_or(config.key_type), std::nullopt,
                   CertificateRecord{}.store, choices.profile.value_or(config.profile), choices);
    });
  }

  /// The solvers and per-name challenge types for one certificate: its own over the manager's.
  manager::SolverChoice solver_choice(const ManagedCertificate& choices) const {
    manager::SolverChoice choice{choices.solvers.empty() ? config.solvers : choices.solvers,
                                 config.challenge_for_name, config.challenge_preference};
    for (const auto& [name, type] : choices.challenge_for_name) choice.per_name[name] = type;
    return choice;
  }

  IssuedCertificate issue(const std::vector<std::string>& requested, KeyType key_type,
                          const std::optional<std::string>& replaces, const std::string& tls_store,
                          const std::string& profile, const ManagedCertificate& choices) {
    const auto names = normalize_identifiers(requested);
    manager::require_solvers_for_ips(names, solver_choice(choices));  // before anything is ordered
    const Finish finish{names, tls_store, choices};
    if (auto resumed = resume_kept_order(finish)) return *resumed;
    std::vector<acme::Identifier> ids;
    for (const auto& n : names) ids.push_back(acme::Identifier{is_ip_address(n) ? "ip" : "dns", n});
    auto order = place_order(ids, replaces, profile);
    log(LogLevel::info, "order {} for {} name(s)", order.url, names.size());
    // Kept in the store from now until its certificate is stored, with the key the CSR will
    // carry: a run that ends before (killed, or a CA that keeps it processing) resumes it.
    PendingOrder kept;
    kept.order_url = order.url;
    kept.names = names;
    kept.account_url = client.account_url();
    kept.key_pem = PrivateKey::generate(key_type).to_pem();
    kept.profile = profile;
    kept.replaces = replaces.value_or(std::string());
    kept.created = std::chrono::system_clock::now();
    kept.expires = order.expires;
    config.store->save_pending_order(config.resolver, kept);
    return complete_order(std::move(order), kept, finish);
  }

  /// What every path to a stored certificate shares: its names and where it is stored.
  struct Finish {
    const std::vector<std::string>& names;
    const std::string& tls_store;
    const ManagedCertificate& choices;
  };

  /// Forgets the kept order (a failure to is logged: the next run finds the order gone at the CA
  /// or done, and drops it then).
  void drop_kept_order(const PendingOrder& kept, const std::string& why) noexcept {
    try {
      log(LogLevel::info, "the kept order {} for {} is dropped: {}", kept.order_url, kept.main(),
          why);
      config.store->remove_pending_order(config.resolver, kept.main());
    } catch (const std::exception& e) {
      log(LogLevel::warning, "cannot forget the kept order for {}: {}", kept.main(), e.what());
    }
  }

  /// Whether an order that failed so may still be completed by a later run: the CA was busy,
  /// slow or out of reach, the run was stopped, or the store failed. Anything else (an invalid
  /// order, a refused CSR, a chain that does not match) ends it.
  static bool order_may_go_on(const std::exception& e) {
    if (const auto* acme_error = dynamic_cast<const AcmeError*>(&e)) {
      const int status = acme_error->problem().status;
      return status == 429 || status >= 500 || acme_error->retry_at().has_value();
    }
    const auto* error = dynamic_cast<const Error*>(&e);
    if (error == nullptr) return false;
    switch (error->kind()) {
      case ErrorKind::network:
      case ErrorKind::cancelled:
      case ErrorKind::ca_timeout:
      case ErrorKind::storage:
      case ErrorKind::busy:
        return true;
      default:
        return false;
    }
  }

  /// From any state of the kept order to its certificate in the store. A failure that the next
  /// run may get past keeps the order (a CA still processing it says so); another drops it.
  IssuedCertificate complete_order(acme::Order order, const PendingOrder& kept,
                                   const Finish& finish) {
    try {
      return complete_order_steps(std::move(order), kept, finish);
    } catch (const Error& e) {
      if (!order_may_go_on(e)) {
        drop_kept_order(kept, e.what());
        throw;
      }
      if (e.kind() != ErrorKind::ca_timeout) throw;
      throw Error(ErrorKind::ca_timeout, std::string(e.what()) +
                                             "; the order is kept in the store and the next run " +
                                             "resumes it (no new order)");
    } catch (const std::exception& e) {
      drop_kept_order(kept, e.what());
      throw;
    }
  }

  IssuedCertificate complete_order_steps(acme::Order order, const PendingOrder& kept,
                                         const Finish& finish) {
    const PrivateKey cert_key = PrivateKey::from_pem(kept.key_pem);
    if (order.status == "pending") {
      manager::complete_authorizations(client, order, solver_choice(finish.choices), log);
      order.status = "ready";  // complete_authorizations() leaves it so (finalize checks)
    }
    if (order.status == "ready") {
      order = finalize(order, cert_key, finish.names);
    } else if (order.status == "processing") {
      order = awaited_valid(order.url);
    } else if (order.status != "valid") {
      throw AcmeError("order " + order.url + " is " + order.status + ", not ready",
                      order.error.value_or(Problem{}));
    }
    if (order.certificate.empty()) {
      throw AcmeError("order " + order.url + " is valid without a certificate URL", Problem{});
    }
    CertificateRecord record;
    record.main = finish.names.front();
    record.sans.assign(finish.names.begin() + 1, finish.names.end());
    record.certificate_pem = download_preferred_chain(order);
    record.key_pem = kept.key_pem;
    record.store = finish.tls_store;
    record.renewal.profile = kept.profile;
    record.renewal.settings = finish.choices.kept_settings;
    record.renewal.account_url = client.account_url();
    // Else nothing is stored.
    crypto::check_issued_chain(record.certificate_pem, cert_key, finish.names);
    IssuedCertificate issued{record, parse_certificate(record.certificate_pem)};
    {
      // The certificate and the end of its kept order in one write.
      Store::Batch batch(*config.store);
      config.store->save_certificate(config.resolver, record);
      config.store->remove_pending_order(config.resolver, record.main);
      batch.commit();
    }
    // Inside a store batch the file is written later, and that write may still fail: so this
    // says what is certain now. (The engine reports the outcome once the store was written.)
    log(LogLevel::info, "certificate for {} issued (serial {}) and handed to the store",
        record.main, issued.info.serial_hex);
    return issued;
  }

  acme::Order awaited_valid(const std::string& url) {
    const auto result = client.wait_order(url);
    if (result.status != "valid") {
      throw AcmeError("order " + url + " ended " + result.status, result.error.value_or(Problem{}));
    }
    return result;
  }

  /// The order kept for these names by an earlier run, taken up where it stopped; nullopt when
  /// there is none or it cannot be completed (then it is dropped and the caller orders anew).
  std::optional<IssuedCertificate> resume_kept_order(const Finish& finish) {
    const auto kept = config.store->load_pending_order(config.resolver, finish.names.front());
    if (!kept) return std::nullopt;
    if (kept->names != finish.names) {
      drop_kept_order(*kept, "it was placed for other names");
      return std::nullopt;
    }
    if (kept->expires && *kept->expires <= std::chrono::system_clock::now()) {
      drop_kept_order(*kept, "it has expired");
      return std::nullopt;
    }
    const auto used = ensure_account(CertManager::AccountCheck::trust_store, nullptr);
    if (kept->account_url != used.url) {
      drop_kept_order(*kept, "another account placed it");
      return std::nullopt;
    }
    acme::Order order;
    try {
      order = client.get_order(kept->order_url);
    } catch (const AcmeError& e) {
      if (order_may_go_on(e)) throw;  // busy: kept for the next attempt
      drop_kept_order(*kept, "the CA answered " + e.problem().summary());
      return std::nullopt;
    }
    if (order.status == "invalid") {
      drop_kept_order(*kept, "the CA says it is invalid");
      return std::nullopt;
    }
    log(LogLevel::info, "resuming the kept order {} for {} (\"{}\")", order.url, kept->main(),
        order.status);
    return complete_order(std::move(order), *kept, finish);
  }

  // ---- events, renewal, revocation, account changes ----

  void notify(const CertificateEvent& event) {
    if (!config.on_event) return;
    try {
      config.on_event(event);
    } catch (const std::exception& e) {
      log(LogLevel::error, "event callback failed: {}", e.what());
    }
  }

  /// Runs `action`, then tells on_event what came of it (success as `type`, or the failure).
  template <typename Action>
  IssuedCertificate with_events(const std::vector<std::string>& names, CertificateEventType type,
                                Action action) {
    try {
      IssuedCertificate issued = action();
      counters.count(type, true);
      notify({type,
              issued.record.names(),
              config.resolver,
              issued.info.not_after,
              {},
              &issued.record});
      return issued;
    } catch (const std::exception& e) {
      if (manager::is_cancelled(e)) throw;  // stopped: not a failure
      counters.count(type, false);
      notify({CertificateEventType::failed, names, config.resolver, std::nullopt, e.what()});
      throw;
    }
  }

  /// ARI's ID of a certificate, or "" when it has none (no Authority Key Identifier).
  std::string ari_id(const std::string& certificate_pem) {
    try {
      return acme::certificate_id(certificate_pem);
    } catch (const Error& e) {
      log(LogLevel::warning, "no ARI certificate ID: {}", e.what());
      return {};
    }
  }

  bool server_offers_ari() {
    try {
      return !client.directory().renewal_info.empty();
    } catch (const Error& e) {
      log(LogLevel::warning, "directory unavailable, deciding without ARI: {}", e.what());
      return false;
    }
  }

  IssuedCertificate renew(const CertificateRecord& current,
                          const ManagedCertificate& choices) override {
    try {
      return with_events(current.names(), CertificateEventType::renewed, [&] {
        const KeyType key_type = PrivateKey::from_pem(current.key_pem).type();
        // The profile it was ordered with, unless the caller names another.
        const std::string profile = choices.profile.value_or(
            config.profile.empty() ? current.renewal.profile : config.profile);
        // The settings it was obtained with, unless the caller keeps others.
        ManagedCertificate kept = choices;
        if (kept.kept_settings.empty()) kept.kept_settings = current.renewal.settings;
        return issue(current.names(), key_type, replaces_for(current), current.store, profile,
                     kept);
      });
    } catch (const std::exception& e) {
      if (!manager::is_cancelled(e)) record_failure(current, e);
      throw;
    }
  }

  /// ARI's "replaces" for a renewal of `current`: only when the CA answered its ARI lookup and
  /// the certificate was ordered by the account in use (Boulder refuses it otherwise).
  std::optional<std::string> replaces_for(const CertificateRecord& current) {
    if (client.directory().renewal_info.empty()) return std::nullopt;
    const std::string id = ari_id(current.certificate_pem);
    if (id.empty()) return std::nullopt;
    const auto stored = manager::stored_entry(*config.store, config.resolver, current);
    const RenewalState& state = stored ? stored->renewal : current.renewal;
    if (state.ari_cert_id != id || !state.ari_checked_at) {
      log(LogLevel::debug, "no \"replaces\" for {}: no ARI answer for it", current.main);
      return std::nullopt;
    }
    const auto used = ensure_account(CertManager::AccountCheck::trust_store, nullptr);
    if (state.account_url != used.url) {
      log(LogLevel::debug, "no \"replaces\" for {}: ordered by another account", current.main);
      return std::nullopt;
    }
    return id;
  }

  /// Counts a failed renewal in the stored entry, for the backoff. Never throws: the renewal's
  /// own error is what the caller must see.
  void record_failure(const CertificateRecord& current, const std::exception& failure) noexcept {
    try {
      const auto stored = manager::stored_entry(*config.store, config.resolver, current);
      if (!stored) return;
      RenewalState state = stored->renewal;
      ++state.failed_attempts;
      state.last_failure = std::chrono::system_clock::now();
      state.last_error = failure.what();
      state.retry_not_before = manager::ca_retry_at(failure);
      if (state.retry_not_before) {
        log(LogLevel::warning, "renewal of {}: the CA asks to wait; next attempt not before {}",
            current.main, core::format_rfc3339(*state.retry_not_before));
      }
      manager::save_renewal_state(*config.store, config.resolver, current, state);
    } catch (const std::exception& e) {
      log(LogLevel::error, "cannot record the failed renewal of {}: {}", current.main, e.what());
    }
  }

  /// The stored state of this certificate, ARI refreshed when stale (and saved).
  RenewalState current_renewal_state(const CertificateRecord& certificate,
                                     std::chrono::system_clock::time_point now) {
    const auto stored = manager::stored_entry(*config.store, config.resolver, certificate);
    RenewalState state = stored ? stored->renewal : certificate.renewal;
    const std::string id = ari_id(certificate.certificate_pem);
    if (state.ari_cert_id != id) state = manager::without_ari(state);
    if (id.empty() || !server_offers_ari() || !manager::ari_is_stale(state, id, now)) return state;
    try {
      const auto info = client.renewal_info(certificate.certificate_pem);
      const RenewalState before = state;
      {
        std::lock_guard<std::mutex> lock(random_mutex);
        state = manager::with_renewal_info(state, id, info, now, random);
      }
      if (before.ari_window_start != state.ari_window_start ||
          before.ari_window_end != state.ari_window_end) {
        // First seen, or moved (an incident, a mass revocation): say why when the CA does.
        log(LogLevel::info, "ARI window for {}: {} to {}{}", certificate.main,
            core::format_rfc3339(*state.ari_window_start),
            core::format_rfc3339(*state.ari_window_end),
            state.ari_explanation_url.empty()
                ? std::string()
                : ", explanation " + printable_text(state.ari_explanation_url));
      }
      if (stored) manager::save_renewal_state(*config.store, config.resolver, certificate, state);
    } catch (const Error& e) {
      log(LogLevel::warning, "renewal information for {} unavailable: {}", certificate.main,
          e.what());
    }
    return state;
  }

  StopToken stop_token() const override {
    std::lock_guard<std::mutex> lock(stop_mutex);
    return stop_source.token();
  }

  void pass_done() noexcept override { counters.checked(std::chrono::system_clock::now()); }

  RenewalDecision check_renewal(const CertificateRecord& certificate,
                                std::chrono::system_clock::time_point now, int days) override {
    counters.checked(std::chrono::system_clock::now());  // `now` may be a simulated time
    const auto info = parse_certificate(certificate.certificate_pem);
    const RenewalState state = current_renewal_state(certificate, now);
    return decide_renewal(info.not_before, info.not_after, state, now, days);
  }

  void revoke(const CertificateRecord& certificate, std::optional<int> reason,
              CertManager::RevocationSigner signer) {
    try {
      if (signer == CertManager::RevocationSigner::certificate_key) {
        client.revoke_certificate_with_key(certificate.certificate_pem,
                                           PrivateKey::from_pem(certificate.key_pem), reason);
      } else {
        ensure_account(CertManager::AccountCheck::trust_store, nullptr);
        client.revoke_certificate(certificate.certificate_pem, reason);
      }
    } catch (const AcmeError& e) {
      if (!e.problem().is("badRevocationReason")) throw;
      // Say which reason was refused: the CA's detail may not.
      const std::string sent =
          reason ? std::to_string(*reason) + revocation_reason_name(*reason) : "none";
      throw AcmeError("revoking " + certificate.main + ": the CA does not accept the reason " +
                          sent +
                          " (Let's Encrypt accepts unspecified, keyCompromise, "
                          "superseded and cessationOfOperation)",
                      e.problem());
    }
    log(LogLevel::info, "certificate for {} revoked", certificate.main);
  }

  /// The stored account after ensure_account() made sure there is one.
  AccountRecord stored_account() {
    ensure_account(CertManager::AccountCheck::trust_store, nullptr);
    auto record = config.store->load_account(config.resolver);
    if (!record || record->private_key_der.empty()) {
      throw Error(ErrorKind::storage, "resolver \"" + config.resolver + "\" has no stored account");
    }
    return *record;
  }

  void rollover_account_key() {
    AccountRecord record = stored_account();
    const PrivateKey old_key = PrivateKey::from_der(record.private_key_der);
    const PrivateKey new_key = PrivateKey::generate(old_key.type());
    client.key_change(new_key);
    record.private_key_der = new_key.to_der();
    try {
      config.store->save_account(config.resolver, record);
    } catch (const Error& e) {
      // The server now knows only the new key, which the store could not keep: switch back.
      try {
        client.key_change(old_key);
      } catch (const Error& rollback) {
        throw Error(ErrorKind::storage,
                    std::string("the new account key could not be stored (") + e.what() +
                        ") and switching the server back to the old key failed (" +
                        rollback.what() + "): the stored key no longer signs for the account");
      }
      throw Error(ErrorKind::storage, std::string("the new account key could not be stored (") +
                                          e.what() + "); the account keeps its old key");
    }
    log(LogLevel::info, "account key of {} replaced", record.uri);
  }

  acme::Account deactivate_account() {
    AccountRecord record = stored_account();
    auto deactivated = client.deactivate_account();
    record.registration_body = deactivated.body_json;
    config.store->save_account(config.resolver, record);
    std::lock_guard<std::mutex> lock(account_mutex);
    account.reset();
    log(LogLevel::info, "account {} deactivated", record.uri);
    return deactivated;
  }

  acme::Account update_account_email(const std::string& email) {
    AccountRecord record = stored_account();
    auto updated = client.update_account(contacts_for(email));
    record.email = email;
    record.registration_body = updated.body_json;
    config.store->save_account(config.resolver, record);
    std::lock_guard<std::mutex> lock(account_mutex);
    config.email = email;
    if (account) account->contact = updated.contact;
    return updated;
  }
};

CertManager::CertManager(ManagerConfig config) {
  if (!config.store) throw Error(ErrorKind::config, "CertManager needs a store");
  if (!config.acme.directory_cache.load && !config.acme.directory_cache.save) {
    config.acme.directory_cache = directory_cache_in(config.store);
  }
  // Names in challenge_for_name are compared with the server's identifiers: A-labels, lower-case,
  // IP addresses in canonical text.
  std::map<std::string, std::string> per_name;
  for (const auto& [name, type] : config.challenge_for_name)
    per_name[normalize_identifier(name)] = type;
  config.challenge_for_name = std::move(per_name);
  impl_ = std::make_unique<Impl>(std::move(config));
  impl_->serving = std::make_unique<manager::Serving>(
      *impl_, impl_->config, impl_->log,
      [impl = impl_.get()](const CertificateEvent& event) { impl->notify(event); });
}

CertManager::~CertManager() {
  // The threads use everything else in Impl: stopped before any of it is destroyed.
  stop();
}

acme::Account CertManager::ensure_account(AccountCheck check, bool* created) {
  return impl_->ensure_account(check, created);
}

IssuedCertificate CertManager::obtain(const std::vector<std::string>& names) {
  return impl_->obtain(names, ManagedCertificate{});
}

IssuedCertificate CertManager::obtain(const ManagedCertificate& certificate) {
  return impl_->obtain(certificate.names, certificate);
}

IssuedCertificate CertManager::renew(const CertificateRecord& current) {
  return impl_->renew(current, ManagedCertificate{});
}

RenewalDecision CertManager::check_renewal(const CertificateRecord& certificate,
                                           std::chrono::system_clock::time_point now, int days) {
  return impl_->check_renewal(certificate, now, days);
}

bool CertManager::is_due(const CertificateRecord& certificate,
                         std::chrono::system_clock::time_point now, int days) {
  return check_renewal(certificate, now, days).due;
}

void CertManager::revoke(const CertificateRecord& certificate, std::optional<int> reason,
                         RevocationSigner signer) {
  impl_->revoke(certificate, reason, signer);
}

void CertManager::rollover_account_key() {
  impl_->rollover_account_key();
}

acme::Account CertManager::deactivate_account() {
  return impl_->deactivate_account();
}

acme::Account CertManager::update_account_email(const std::string& email) {
  return impl_->update_account_email(email);
}

acme::RequestStats CertManager::request_stats() const {
  return impl_->client.stats();
}

Metrics CertManager::metrics() const {
  return impl_->counters.snapshot(*impl_->config.store, impl_->config.resolver,
                                  impl_->client.stats());
}

void CertManager::manage(const std::vector<std::string>& names) {
  ManagedCertificate certificate;
  certificate.names = names;
  impl_->serving->manage(std::move(certificate));
}

void CertManager::manage(ManagedCertificate certificate) {
  impl_->serving->manage(std::move(certificate));
}

void CertManager::set_managed(const std::vector<ManagedCertificate>& certificates) {
  impl_->serving->set_managed(certificates);
}

void CertManager::retry_now() {
  impl_->serving->retry_now();
}

std::vector<UpkeepOutcome> CertManager::maintain(const MaintainOptions& options) {
  return impl_->serving->maintain(options);
}

void CertManager::start() {
  impl_->serving->start();
}

void CertManager::stop() {
  impl_->request_stop();  // the order under way ends now, not when the CA answers
  impl_->serving->stop();
  impl_->arm_stop();
}

std::shared_ptr<const CertificateCache> CertManager::certificates() const {
  return impl_->serving->certificates();
}

std::shared_ptr<const ServingCertificate> CertManager::certificate_for(
    std::string_view server_name) {
  return impl_->serving->certificate_for(server_name);
}

UnknownNameAnswer CertManager::certificate_async(std::string_view server_name,
                                                 std::function<void()> ready) {
  return impl_->serving->certificate_async(server_name, std::move(ready));
}

}  // namespace acmecpp
