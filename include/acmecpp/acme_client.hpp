// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The raw ACME protocol (RFC 8555), for programs that want the individual steps. Most programs
/// use CertManager (cert_manager.hpp) instead.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/api.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "acmecpp/stop_token.hpp"

namespace acmecpp {
namespace acme {

/// Let's Encrypt's production and staging directories.
inline constexpr const char* kLetsEncryptProduction =
    "https://acme-v02.api.letsencrypt.org/directory";
inline constexpr const char* kLetsEncryptStaging =
    "https://acme-staging-v02.api.letsencrypt.org/directory";

struct ACMECPP_API ClientOptions {
  std::string directory_url = kLetsEncryptProduction;
  std::string ca_bundle;  ///< PEM file of CAs trusted for the ACME server; empty: system store
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{60000};
  /// How long polling an authorization or an order may take in total before giving up
  /// (Error(ca_timeout)).
  std::chrono::milliseconds poll_timeout{std::chrono::minutes(3)};
  /// Wait before the first poll (a server is never done the moment it was asked; a local CA is
  /// done within milliseconds); each later wait doubles, up to poll_max_interval. A Retry-After
  /// from the server is always honoured, even beyond poll_max_interval.
  std::chrono::milliseconds poll_initial_interval{15};
  std::chrono::milliseconds poll_max_interval{std::chrono::seconds(1)};
  /// Where the directory is kept between processes, so that a process need not fetch it again
  /// (one request saved per process): `load` returns the text `save` was last given (nullopt:
  /// none); both unset: not kept. A copy for another directory_url or older than
  /// directory_cache_max_age is ignored; when a URL of a cached copy fails (not found, or the
  /// server cannot be reached there), the directory is fetched again and the request sent once
  /// more. CertManager connects them to its store's cache area (Store::load_cached) when unset.
  /// Neither may throw.
  struct DirectoryCacheIo {
    std::function<std::optional<std::string>()> load;
    std::function<void(const std::string&)> save;
  };
  DirectoryCacheIo directory_cache;
  /// How long a cached directory is used; zero: the cache is neither read nor written.
  std::chrono::seconds directory_cache_max_age{std::chrono::hours(1)};
  /// How many times one request is re-sent with a fresh nonce after a badNonce problem. Servers
  /// may reject valid nonces at random (Pebble's test mode rejects up to half), so a single retry
  /// is not enough; each retry costs one request, and a server that rejects 20 in a row is broken.
  int bad_nonce_retries = 20;
  /// Transient failures of one request (429, 500, 502, 503, 504, a connection that fails) are
  /// retried up to this many times, waiting as the server's Retry-After says (seconds or an
  /// HTTP date), else transient_initial_wait doubling. Requests whose repetition could do
  /// something twice (newOrder, finalize, revokeCert, newAccount, keyChange, account changes)
  /// are repeated only after a 429 or a connection that was never made: after a 5xx or a lost
  /// answer, finalize and newAccount look at the server's state instead, the others fail.
  int transient_retries = 4;
  std::chrono::milliseconds transient_initial_wait{1000};
  /// The longest Retry-After waited for. A server that asks for longer ends the request with an
  /// AcmeError whose message and retry_at() say when to try again.
  std::chrono::seconds retry_after_limit{std::chrono::minutes(5)};
  /// When stop is requested on it, every call under way ends at once with Error(cancelled): a
  /// request being sent or awaited is aborted, a poll's wait (Retry-After included) cut short,
  /// and no further request is sent. Default: never stopped.
  StopToken stop;
};

/// The directory resource (section 7.1.1).
struct ACMECPP_API Directory {
  std::string new_nonce, new_account, new_order, revoke_cert, key_change, new_authz;
  std::string renewal_info;  ///< RFC 9773 ARI; empty when not offered
  std::string terms_of_service, website;
  std::vector<std::string> caa_identities;
  bool external_account_required = false;
  std::vector<std::string> profiles;  ///< names in meta.profiles, when offered
};

struct ACMECPP_API Identifier {
  std::string type = "dns";
  std::string value;
};

struct ACMECPP_API Challenge {
  std::string type, url, status, token;
  std::optional<Problem> error;
};

struct ACMECPP_API Authorization {
  std::string url;
  Identifier identifier;
  std::string status;  ///< pending, valid, invalid, deactivated, expired, revoked
  bool wildcard = false;
  std::vector<Challenge> challenges;
  /// The challenge of that type, if offered.
  const Challenge* find_challenge(const std::string& type) const;
};

struct ACMECPP_API Order {
  std::string url;
  std::string status;  ///< pending, ready, processing, valid, invalid
  std::vector<Identifier> identifiers;
  std::vector<std::string> authorizations;
  std::string finalize;
  std::string certificate;
  std::optional<Problem> error;
  /// When the CA forgets the order ("expires"), if it said.
  std::optional<std::chrono::system_clock::time_point> expires;
};

struct ACMECPP_API Account {
  std::string url;     ///< the account URL, used as JWS "kid"
  std::string status;  ///< valid, deactivated, revoked
  std::vector<std::string> contact;
  std::string body_json;  ///< the account object as the server sent it
};

/// External Account Binding credentials handed out by the CA.
struct ACMECPP_API ExternalAccountBinding {
  std::string kid;
  std::string hmac_key;  ///< base64url as the CA gives it; a secret
};

/// A downloaded certificate chain and the alternates the server offered.
struct ACMECPP_API CertificateChain {
  std::string pem;  ///< leaf first, then issuers
  std::string url;  ///< where it was downloaded
  std::vector<std::string> alternate_urls;
};

/// What a new order asks for beyond its identifiers.
struct ACMECPP_API OrderOptions {
  /// RFC 9773: the ARI certificate ID (certificate_id()) of the certificate this order replaces.
  /// Send only when the directory offers renewalInfo.
  std::optional<std::string> replaces;
  /// draft-ietf-acme-profiles: the name of one of Directory::profiles.
  std::optional<std::string> profile;
};

/// ACME Renewal Information for one certificate (RFC 9773 section 4.2).
struct ACMECPP_API RenewalInfo {
  std::chrono::system_clock::time_point window_start;  ///< suggestedWindow.start
  std::chrono::system_clock::time_point window_end;    ///< suggestedWindow.end (after start)
  std::optional<std::string> explanation_url;          ///< explanationURL, when sent
  /// The Retry-After header: when to ask again. nullopt when the server sent none.
  std::optional<std::chrono::seconds> retry_after;
};

/// The ARI certificate ID (RFC 9773 section 4.1) of the first certificate of a PEM bundle:
/// base64url(Authority Key Identifier) "." base64url(DER serial number content octets).
/// Throws Error(crypto) when it is not a certificate or has no Authority Key Identifier.
ACMECPP_API std::string certificate_id(std::string_view certificate_pem);

/// Whether a request that failed this way may have been acted on by the server all the same: a
/// 5xx problem, or a connection lost after the request was sent. Such a request is not repeated
/// blindly (Client repeats only what is safe to repeat, see ClientOptions::transient_retries).
ACMECPP_API bool outcome_unknown(const Error& e);

/// Count of requests sent to the server, for metrics and tests.
struct ACMECPP_API RequestStats {
  std::size_t requests = 0;
  std::size_t bad_nonce_retries = 0;
  /// Of `requests`: repetitions after a transient failure (429, 5xx, a failed connection).
  std::size_t transient_retries = 0;
  /// Of `requests`: polls of authorizations and orders (wait_authorization(), wait_order()).
  std::size_t polls = 0;
  /// How the requests ended: "1xx" ... "5xx" (HTTP status class of the response),
  /// "network_error" (no response) and "other" (a status outside 100-599); only results seen at
  /// least once are present.
  std::map<std::string, std::size_t> by_result;
};

/// An ACME client bound to one directory and, once set, one account. Thread-safe: several orders
/// may run through one client at once; the nonce pool and connections are shared.
class ACMECPP_API Client {
 public:
  /// Talks to the server over libcurl, with the CA bundle and timeouts of `options`.
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// The directory, fetched on first use and kept.
  const Directory& directory();

  /// Registers a new account (or returns the existing one for this key, as servers do).
  Account new_account(const PrivateKey& key, const std::vector<std::string>& contact,
                      bool terms_agreed, const std::optional<ExternalAccountBinding>& eab = {});
  /// Looks up the account of this key (onlyReturnExisting); nullopt when the server has none.
  std::optional<Account> find_account(const PrivateKey& key);
  /// Binds the client to an account for every request that follows.
  void use_account(const PrivateKey& key, const std::string& account_url);

  Order new_order(const std::vector<Identifier>& identifiers);
  /// A new order with ARI's "replaces" and/or a profile. A server may refuse "replaces" with the
  /// problem alreadyReplaced (AcmeError); the caller then orders again without it.
  Order new_order(const std::vector<Identifier>& identifiers, const OrderOptions& options);
  Order get_order(const std::string& url);
  Authorization get_authorization(const std::string& url);
  /// Tells the server the challenge is ready to be validated.
  Challenge answer_challenge(const std::string& challenge_url);
  /// key authorization = token "." thumbprint(account key).
  std::string key_authorization(const std::string& token) const;

  /// Polls until the authorization leaves "pending"; returns it (valid or not). The first
  /// request is sent after poll_initial_interval (see ClientOptions for the schedule). Throws
  /// Error(ca_timeout) when poll_timeout passes first, or when the server's Retry-After asks to
  /// wait beyond it (the message says until when); Error(cancelled) when stopped.
  Authorization wait_authorization(const std::string& url);
  /// Polls, on the same schedule, until the order leaves "pending"/"processing": after its
  /// challenges were answered it becomes "ready" (or "invalid"), after finalize "valid". Throws
  /// as wait_authorization() does (an order stuck in "processing": Error(ca_timeout)).
  Order wait_order(const std::string& url);
  /// Sends the CSR (DER) to the order's finalize URL and returns the updated order.
  Order finalize(const Order& order, const std::string& csr_der);
  /// Downloads the order's certificate chain, with the alternates listed in Link headers.
  CertificateChain download_certificate(const std::string& url);

  /// Revokes a certificate (RFC 8555 section 7.6), signed by the current account (kid form).
  /// @param certificate PEM (the first certificate is revoked) or DER
  /// @param reason an RFC 5280 CRLReason code (see revocation.hpp); omitted when nullopt
  void revoke_certificate(const std::string& certificate, std::optional<int> reason = {});
  /// The same, signed by the certificate's own private key (jwk form); needs no account, e.g.
  /// to revoke a certificate whose key leaked.
  void revoke_certificate_with_key(const std::string& certificate,
                                   const PrivateKey& certificate_key,
                                   std::optional<int> reason = {});

  /// Replaces the account's key with `new_key` (RFC 8555 section 7.3.5); every request that
  /// follows is signed with the new key. The server refuses a key that another account uses.
  void key_change(const PrivateKey& new_key);
  /// The account object as the server has it now (POST-as-GET to the account URL).
  Account get_account();
  /// Replaces the account's contact URLs ("mailto:..."); an empty list removes them all.
  Account update_account(const std::vector<std::string>& contact);
  /// Deactivates the account for good (RFC 8555 section 7.3.6); the server refuses every later
  /// request signed for it.
  Account deactivate_account();
  /// The URL of the current account; "" before one is selected.
  std::string account_url() const;

  /// ARI for a certificate (RFC 9773): unauthenticated GET of RENEWAL_INFO_URL/CERTIFICATE_ID.
  /// Throws Error(config) when the directory offers no renewalInfo, AcmeError when the server
  /// answers with an error, Error(protocol) when the answer lacks a valid suggestedWindow.
  RenewalInfo renewal_info(const std::string& certificate_pem);

  RequestStats stats() const;

  /// Replaces ClientOptions::stop: requests and waits that begin from now on observe `stop`
  /// (CertManager gives its client a fresh token each time it is started again after stop()).
  void set_stop_token(StopToken stop);
  /// The token requests and waits observe now (for waits of the caller's own that belong to the
  /// same work, e.g. a DNS-01 propagation check).
  StopToken stop_token() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace acme
}  // namespace acmecpp
