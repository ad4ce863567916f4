#include "acmecpp/cert_manager.hpp"

#include <mutex>

#include "acmecpp/error.hpp"
#include "acmecpp/names.hpp"
#include "crypto/jose.hpp"
#include "manager/authorization_flow.hpp"
#include "manager/chain_selection.hpp"
#include "manager/logger.hpp"

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

}  // namespace

struct CertManager::Impl {
  ManagerConfig config;
  manager::Logger log;
  acme::Client client;
  std::mutex account_mutex;
  std::optional<acme::Account> account;

  explicit Impl(ManagerConfig cfg) : config(std::move(cfg)), log(config.log), client(config.acme) {}

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
                      dir.terms_of_service + "): pass --agree-tos");
    }
    if (dir.external_account_required && !config.eab) {
      throw Error(ErrorKind::config,
                  "this CA requires External Account Binding: pass --eab-kid and --eab-hmac-key");
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
    const auto record = config.store->load_account(config.resolver);
    const bool has_key = record && !record->private_key_der.empty();
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

  /// Finalizes as soon as every authorization is valid, without first fetching the order to see
  /// it "ready" (a request saved); a server that is not there yet answers orderNotReady, and then
  /// the order is awaited and finalized again.
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
      result = client.wait_order(order.url);
    }
    if (result.status != "valid" || result.certificate.empty()) {
      throw AcmeError("order " + order.url + " ended " + result.status,
                      result.error.value_or(Problem{}));
    }
    return result;
  }

  /// A new order; when the stored account turns out unknown to the server (the CA was reset,
  /// say), the account is looked up by key or registered again and the order retried once.
  acme::Order new_order_with_account(const std::vector<acme::Identifier>& ids) {
    ensure_account(CertManager::AccountCheck::trust_store, nullptr);
    try {
      return client.new_order(ids);
    } catch (const AcmeError& e) {
      if (!e.problem().is("accountDoesNotExist")) throw;
      log(LogLevel::warning, "stored account unknown to the server; looking it up again");
    }
    ensure_account(CertManager::AccountCheck::ask_server, nullptr);
    return client.new_order(ids);
  }

  IssuedCertificate obtain(const std::vector<std::string>& requested) {
    const auto names = normalize_dns_names(requested);
    std::vector<acme::Identifier> ids;
    for (const auto& n : names) ids.push_back(acme::Identifier{"dns", n});
    auto order = new_order_with_account(ids);
    log(LogLevel::info, "order {} for {} name(s)", order.url, names.size());
    if (order.status == "pending") {
      manager::complete_authorizations(
          client, order, manager::SolverChoice{config.solvers, config.challenge_for_name}, log);
    } else if (order.status != "ready") {
      throw AcmeError("order " + order.url + " is " + order.status + ", not ready",
                      order.error.value_or(Problem{}));
    }
    const auto cert_key = PrivateKey::generate(config.key_type);
    order = finalize(order, cert_key, names);
    CertificateRecord record;
    record.main = names.front();
    record.sans.assign(names.begin() + 1, names.end());
    record.certificate_pem = download_preferred_chain(order);
    record.key_pem = cert_key.to_pem();
    IssuedCertificate issued{record, parse_certificate(record.certificate_pem)};
    config.store->save_certificate(config.resolver, record);
    log(LogLevel::info, "certificate for {} stored (serial {})", record.main,
        issued.info.serial_hex);
    return issued;
  }
};

CertManager::CertManager(ManagerConfig config) {
  if (!config.store) throw Error(ErrorKind::config, "CertManager needs a store");
  impl_ = std::make_unique<Impl>(std::move(config));
}

CertManager::~CertManager() = default;

acme::Account CertManager::ensure_account(AccountCheck check, bool* created) {
  return impl_->ensure_account(check, created);
}

IssuedCertificate CertManager::obtain(const std::vector<std::string>& names) {
  return impl_->obtain(names);
}

acme::RequestStats CertManager::request_stats() const {
  return impl_->client.stats();
}

}  // namespace acmecpp
