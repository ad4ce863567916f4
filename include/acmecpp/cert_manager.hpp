#pragma once
/// @file
/// CertManager: the management layer. Given names, it returns a certificate from the store or
/// obtains one from the ACME server (account, order, challenges, finalize, download, store).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/certificate.hpp"
#include "acmecpp/key.hpp"
#include "acmecpp/log.hpp"
#include "acmecpp/solver.hpp"
#include "acmecpp/store.hpp"

namespace acmecpp {

struct ManagerConfig {
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
  /// When set, the chain whose topmost certificate is issued by a CA with this common name is
  /// kept instead of the server's default (compared case-insensitively).
  std::string preferred_chain;
  LogSink log = null_log_sink();
};

/// A certificate just obtained, as stored, and what it says.
struct IssuedCertificate {
  CertificateRecord record;
  CertificateInfo info;
};

/// Thread-safe: several obtain() calls may run at once (they share one ACME client).
class CertManager {
 public:
  /// Throws Error(config) when the config lacks a store.
  explicit CertManager(ManagerConfig config);
  ~CertManager();
  CertManager(const CertManager&) = delete;
  CertManager& operator=(const CertManager&) = delete;

  /// How far to trust an account kept in the store.
  enum class AccountCheck {
    trust_store,  ///< use a stored account of this server as it is (no request)
    ask_server,   ///< confirm a stored key's account with the server (onlyReturnExisting)
  };

  /// The resolver's account: from the store, otherwise found by the stored key or newly
  /// registered, and then saved. `created` is set when a new one was registered.
  acme::Account ensure_account(AccountCheck check = AccountCheck::trust_store,
                               bool* created = nullptr);

  /// Orders a certificate for `names` (validated and normalised first; the first name becomes
  /// "main"), proves control of each with the configured solvers, stores it and returns it. On
  /// any failure the store is left as it was and the error is thrown.
  IssuedCertificate obtain(const std::vector<std::string>& names);

  /// Requests sent to the ACME server so far.
  acme::RequestStats request_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace acmecpp
