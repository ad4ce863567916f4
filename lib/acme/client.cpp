#include <atomic>
#include <mutex>
#include <thread>

#include "acme/counting_transport.hpp"
#include "acme/http_headers.hpp"
#include "acme/nonce_pool.hpp"
#include "acme/resources.hpp"
#include "acmecpp/acme_client.hpp"
#include "core/base64.hpp"
#include "crypto/ari_cert_id.hpp"
#include "crypto/jose.hpp"
#include "http/http_client.hpp"

namespace acmecpp::acme {

const Challenge* Authorization::find_challenge(const std::string& type) const {
  for (const auto& c : challenges) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kJoseContentType = "application/jose+json";

/// The account a request is signed for: the key and, once registered, its URL ("kid").
struct Signer {
  PrivateKey key;
  std::optional<std::string> kid;
};

bool is_success(long status) {
  return status >= 200 && status < 300;
}

/// A directory URL the operation needs; servers may leave optional resources out.
const std::string& required_resource(const std::string& url, const char* name) {
  if (url.empty()) {
    throw Error(ErrorKind::config,
                std::string("the ACME server's directory offers no \"") + name + "\" resource");
  }
  return url;
}

nlohmann::json revocation_payload(const std::string& certificate, std::optional<int> reason) {
  nlohmann::json payload = {
      {"certificate", core::base64url_encode(crypto::certificate_der(certificate))}};
  if (reason) payload["reason"] = *reason;
  return payload;
}

/// "<base>/<id>" without doubling a slash the directory's URL may end with.
std::string join_url(std::string base, const std::string& tail) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + tail;
}

}  // namespace

struct Client::Impl {
  ClientOptions options;
  std::shared_ptr<CountingTransport> http;  // counts every response for stats()
  NoncePool nonces;

  std::mutex directory_mutex;
  std::optional<Directory> directory;

  mutable std::mutex account_mutex;
  std::optional<PrivateKey> account_key;
  std::string account_url;
  std::string thumbprint;

  std::atomic<std::size_t> requests{0};
  std::atomic<std::size_t> bad_nonce_retries{0};

  Impl(ClientOptions opts, std::shared_ptr<http::HttpClient> transport)
      : options(std::move(opts)), http(std::make_shared<CountingTransport>(std::move(transport))) {}

  const Directory& get_directory() {
    std::lock_guard<std::mutex> lock(directory_mutex);
    if (!directory) {
      const auto response = send_get(options.directory_url);
      if (!is_success(response.status)) {
        throw Error(ErrorKind::protocol, "directory " + options.directory_url + " answered HTTP " +
                                             std::to_string(response.status));
      }
      directory =
          parse_directory(parse_json_body(response.body, "directory " + options.directory_url));
    }
    return *directory;
  }

  void keep_nonce(const http::Response& response) {
    if (auto nonce = response.header("Replay-Nonce")) nonces.put(*nonce);
  }

  http::Response send_get(const std::string& url) {
    ++requests;
    auto response = http->get(url);
    keep_nonce(response);
    return response;
  }

  std::string fresh_nonce() {
    if (auto nonce = nonces.take()) return *nonce;
    const std::string url = get_directory().new_nonce;
    ++requests;
    const auto response = http->head(url);
    const auto nonce = response.header("Replay-Nonce");
    if (!nonce || !is_valid_nonce(*nonce)) {
      throw Error(ErrorKind::protocol, "newNonce " + url + " (HTTP " +
                                           std::to_string(response.status) +
                                           ") sent no valid Replay-Nonce header");
    }
    return *nonce;
  }

  Signer current_signer() const {
    std::lock_guard<std::mutex> lock(account_mutex);
    if (!account_key || account_url.empty()) {
      throw Error(ErrorKind::config, "no ACME account selected: register or look one up first");
    }
    return Signer{*account_key, account_url};
  }

  /// A signed POST (payload JSON text, or "" for POST-as-GET). Re-sends with a fresh nonce when
  /// the server answers badNonce; any other error status becomes an AcmeError.
  http::Response signed_post(const std::string& url, const std::string& payload,
                             const Signer& signer, const std::string& context,
                             const http::Headers& extra_headers = {}) {
    http::Headers headers{{"Content-Type", kJoseContentType}};
    headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
    for (int attempt = 0;; ++attempt) {
      const std::string nonce = fresh_nonce();
      const auto jws = crypto::make_jws(signer.key, url, nonce, signer.kid, payload);
      ++requests;
      auto response = http->post(url, jws.dump(), headers);
      keep_nonce(response);
      if (is_success(response.status)) return response;
      Problem problem = problem_from_body(response.body, int(response.status));
      if (problem.is("badNonce") && attempt < options.bad_nonce_retries) {
        ++bad_nonce_retries;
        continue;
      }
      throw AcmeError(context, std::move(problem));
    }
  }

  http::Response post_as_get(const std::string& url, const std::string& context,
                             const http::Headers& extra_headers = {}) {
    return signed_post(url, "", current_signer(), context, extra_headers);
  }

  /// POST-as-GET that, on 429/503 with Retry-After, waits and tries again until `deadline`.
  http::Response poll_request(const std::string& url, const std::string& context,
                              Clock::time_point deadline) {
    for (;;) {
      try {
        return post_as_get(url, context);
      } catch (const AcmeError& e) {
        const int status = e.problem().status;
        if ((status != 429 && status != 503) || Clock::now() >= deadline) throw;
        std::this_thread::sleep_for(
            std::min<Clock::duration>(options.poll_max_interval, deadline - Clock::now()));
      }
    }
  }

  /// Time to wait before the next poll: the server's Retry-After when sent (capped by the
  /// deadline), else the current backoff interval, which then doubles up to the maximum.
  std::chrono::milliseconds next_delay(const http::Response& response,
                                       std::chrono::milliseconds& backoff) const {
    if (auto value = response.header("Retry-After")) {
      if (auto delay = parse_retry_after(*value)) return *delay;
    }
    const auto delay = backoff;
    backoff = std::min(backoff * 2, options.poll_max_interval);
    return delay;
  }

  template <typename Resource, typename Parse, typename IsDone>
  Resource poll(const std::string& url, const std::string& what, Parse parse, IsDone done) {
    const auto deadline = Clock::now() + options.poll_timeout;
    auto backoff = options.poll_initial_interval;
    for (;;) {
      const auto response = poll_request(url, what, deadline);
      Resource resource = parse(parse_json_body(response.body, what), url);
      if (done(resource)) return resource;
      const auto delay = next_delay(response, backoff);
      if (Clock::now() + delay > deadline) {
        throw Error(ErrorKind::challenge, what + " still \"" + resource.status + "\" after " +
                                              std::to_string(options.poll_timeout.count() / 1000) +
                                              " s of polling");
      }
      std::this_thread::sleep_for(delay);
    }
  }
};

Client::Client(ClientOptions options)
    : Client(options, http::make_curl_http_client(http::Options{options.ca_bundle,
                                                                options.connect_timeout,
                                                                options.request_timeout,
                                                                8 * 1024 * 1024,
                                                                {}})) {}

Client::Client(ClientOptions options, std::shared_ptr<http::HttpClient> transport)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(transport))) {}

Client::~Client() = default;

const Directory& Client::directory() {
  return impl_->get_directory();
}

Account Client::new_account(const PrivateKey& key, const std::vector<std::string>& contact,
                            bool terms_agreed, const std::optional<ExternalAccountBinding>& eab) {
  const auto& dir = impl_->get_directory();
  nlohmann::json payload = {{"termsOfServiceAgreed", terms_agreed}};
  if (!contact.empty()) payload["contact"] = contact;
  if (eab) {
    std::string mac_key;
    try {
      mac_key = core::base64url_decode(eab->hmac_key);
    } catch (const Error&) {
      throw Error(ErrorKind::invalid_input, "EAB HMAC key is not valid base64url");
    }
    payload["externalAccountBinding"] =
        crypto::make_eab(eab->kid, mac_key, crypto::public_jwk(key), dir.new_account);
  }
  const auto response =
      impl_->signed_post(dir.new_account, payload.dump(), Signer{key, std::nullopt}, "new account");
  const auto url = response.header("Location");
  if (!url || url->empty()) {
    throw Error(ErrorKind::protocol, "new account response has no Location header");
  }
  auto account = parse_account(parse_json_body(response.body, "new account"), *url);
  use_account(key, account.url);
  return account;
}

std::optional<Account> Client::find_account(const PrivateKey& key) {
  const auto& dir = impl_->get_directory();
  const nlohmann::json payload = {{"onlyReturnExisting", true}};
  try {
    const auto response = impl_->signed_post(dir.new_account, payload.dump(),
                                             Signer{key, std::nullopt}, "account lookup");
    const auto url = response.header("Location");
    if (!url || url->empty()) {
      throw Error(ErrorKind::protocol, "account lookup response has no Location header");
    }
    auto account = parse_account(parse_json_body(response.body, "account lookup"), *url);
    use_account(key, account.url);
    return account;
  } catch (const AcmeError& e) {
    if (e.problem().is("accountDoesNotExist")) return std::nullopt;
    throw;
  }
}

void Client::use_account(const PrivateKey& key, const std::string& account_url) {
  auto thumbprint = crypto::jwk_thumbprint(key);
  std::lock_guard<std::mutex> lock(impl_->account_mutex);
  impl_->account_key = key;
  impl_->account_url = account_url;
  impl_->thumbprint = std::move(thumbprint);
}

Order Client::new_order(const std::vector<Identifier>& identifiers) {
  return new_order(identifiers, OrderOptions{});
}

Order Client::new_order(const std::vector<Identifier>& identifiers, const OrderOptions& options) {
  const auto& dir = impl_->get_directory();
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& id : identifiers) ids.push_back({{"type", id.type}, {"value", id.value}});
  nlohmann::json payload = {{"identifiers", ids}};
  if (options.replaces) payload["replaces"] = *options.replaces;
  if (options.profile) payload["profile"] = *options.profile;
  const auto response =
      impl_->signed_post(dir.new_order, payload.dump(), impl_->current_signer(), "new order");
  const auto url = response.header("Location");
  if (!url || url->empty()) throw Error(ErrorKind::protocol, "new order response has no Location");
  return parse_order(parse_json_body(response.body, "new order"), *url);
}

Order Client::get_order(const std::string& url) {
  const auto response = impl_->post_as_get(url, "order " + url);
  return parse_order(parse_json_body(response.body, "order " + url), url);
}

Authorization Client::get_authorization(const std::string& url) {
  const auto response = impl_->post_as_get(url, "authorization " + url);
  return parse_authorization(parse_json_body(response.body, "authorization " + url), url);
}

Challenge Client::answer_challenge(const std::string& challenge_url) {
  const auto response = impl_->signed_post(challenge_url, "{}", impl_->current_signer(),
                                           "challenge " + challenge_url);
  return parse_challenge(parse_json_body(response.body, "challenge " + challenge_url));
}

std::string Client::key_authorization(const std::string& token) const {
  std::lock_guard<std::mutex> lock(impl_->account_mutex);
  if (impl_->thumbprint.empty()) {
    throw Error(ErrorKind::config, "no ACME account selected: register or look one up first");
  }
  return token + "." + impl_->thumbprint;
}

Authorization Client::wait_authorization(const std::string& url) {
  return impl_->poll<Authorization>(url, "authorization " + url, parse_authorization,
                                    [](const Authorization& a) { return a.status != "pending"; });
}

Order Client::wait_order(const std::string& url) {
  return impl_->poll<Order>(url, "order " + url, parse_order, [](const Order& o) {
    return o.status != "pending" && o.status != "processing";
  });
}

Order Client::finalize(const Order& order, const std::string& csr_der) {
  const nlohmann::json payload = {{"csr", core::base64url_encode(csr_der)}};
  const auto response = impl_->signed_post(order.finalize, payload.dump(), impl_->current_signer(),
                                           "finalize " + order.url);
  return parse_order(parse_json_body(response.body, "finalize " + order.url), order.url);
}

CertificateChain Client::download_certificate(const std::string& url) {
  const auto response = impl_->post_as_get(url, "certificate " + url,
                                           {{"Accept", "application/pem-certificate-chain"}});
  CertificateChain chain;
  chain.url = url;
  chain.pem = response.body;
  chain.alternate_urls = links_with_rel(response.headers_named("Link"), "alternate");
  return chain;
}

void Client::revoke_certificate(const std::string& certificate, std::optional<int> reason) {
  const auto& url = required_resource(impl_->get_directory().revoke_cert, "revokeCert");
  impl_->signed_post(url, revocation_payload(certificate, reason).dump(), impl_->current_signer(),
                     "revoke certificate");
}

void Client::revoke_certificate_with_key(const std::string& certificate,
                                         const PrivateKey& certificate_key,
                                         std::optional<int> reason) {
  const auto& url = required_resource(impl_->get_directory().revoke_cert, "revokeCert");
  impl_->signed_post(url, revocation_payload(certificate, reason).dump(),
                     Signer{certificate_key, std::nullopt}, "revoke certificate (certificate key)");
}

void Client::key_change(const PrivateKey& new_key) {
  const auto& url = required_resource(impl_->get_directory().key_change, "keyChange");
  const Signer old_signer = impl_->current_signer();
  const auto inner = crypto::make_key_change_jws(new_key, url, *old_signer.kid,
                                                 crypto::public_jwk(old_signer.key));
  impl_->signed_post(url, inner.dump(), old_signer, "account key change");
  use_account(new_key, *old_signer.kid);
}

Account Client::get_account() {
  const Signer signer = impl_->current_signer();
  const auto response = impl_->signed_post(*signer.kid, "", signer, "account " + *signer.kid);
  return parse_account(parse_json_body(response.body, "account " + *signer.kid), *signer.kid);
}

Account Client::update_account(const std::vector<std::string>& contact) {
  const Signer signer = impl_->current_signer();
  const nlohmann::json payload = {{"contact", contact}};
  const auto response =
      impl_->signed_post(*signer.kid, payload.dump(), signer, "account update " + *signer.kid);
  return parse_account(parse_json_body(response.body, "account update " + *signer.kid),
                       *signer.kid);
}

Account Client::deactivate_account() {
  const Signer signer = impl_->current_signer();
  const nlohmann::json payload = {{"status", "deactivated"}};
  const auto response = impl_->signed_post(*signer.kid, payload.dump(), signer,
                                           "account deactivation " + *signer.kid);
  return parse_account(parse_json_body(response.body, "account deactivation " + *signer.kid),
                       *signer.kid);
}

std::string Client::account_url() const {
  std::lock_guard<std::mutex> lock(impl_->account_mutex);
  return impl_->account_url;
}

RenewalInfo Client::renewal_info(const std::string& certificate_pem) {
  const auto& base = required_resource(impl_->get_directory().renewal_info, "renewalInfo");
  const std::string url = join_url(base, certificate_id(certificate_pem));
  const std::string what = "renewal information " + url;
  const auto response = impl_->send_get(url);
  if (!is_success(response.status)) {
    throw AcmeError(what, problem_from_body(response.body, int(response.status)));
  }
  RenewalInfo info = parse_renewal_info(parse_json_body(response.body, what), what);
  if (auto value = response.header("Retry-After")) info.retry_after = parse_retry_after(*value);
  return info;
}

std::string certificate_id(std::string_view certificate_pem) {
  return crypto::ari_certificate_id(certificate_pem);
}

RequestStats Client::stats() const {
  return RequestStats{impl_->requests.load(), impl_->bad_nonce_retries.load(),
                      impl_->http->by_result()};
}

}  // namespace acmecpp::acme
