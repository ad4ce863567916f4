// SPDX-License-Identifier: Apache-2.0
#include <atomic>
#include <mutex>

#include "acme/counting_transport.hpp"
#include "acme/directory_cache.hpp"
#include "acme/http_headers.hpp"
#include "acme/https_url.hpp"
#include "acme/nonce_pool.hpp"
#include "acme/poll_schedule.hpp"
#include "acme/resources.hpp"
#include "acmecpp/acme_client.hpp"
#include "acmecpp/printable.hpp"
#include "core/ascii.hpp"
#include "core/base64.hpp"
#include "core/duration_text.hpp"
#include "core/rfc3339.hpp"
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

/// Whether a failed request looks like one sent to a URL the server no longer has: what a
/// directory kept too long would cause. Problems about the request itself do not count.
bool looks_like_moved_url(const Error& e) {
  if (const auto* acme_error = dynamic_cast<const AcmeError*>(&e)) {
    const int status = acme_error->problem().status;
    return status == 404 || status == 405;
  }
  // Only when the request never reached the server: resending one that may have been acted on
  // (a new order, a revocation) after a timeout would do it twice.
  return dynamic_cast<const http::NotSentError*>(&e) != nullptr;
}

std::optional<std::chrono::seconds> retry_after_of(const http::Response& response) {
  if (auto value = response.header("Retry-After")) return parse_retry_after(*value);
  return std::nullopt;
}

/// Whether sending a request again could do something twice (RFC 8555 section 6.6 leaves it to
/// the client): a new order, a finalization, a revocation, an account change.
enum class Repeat {
  safe,  ///< GET, HEAD, POST-as-GET, a challenge's answer, an account lookup
  once,  ///< repeated only when the server certainly did nothing (429, never sent)
};

/// Statuses that say "later": retried for every request (429: refused before anything was done)
/// or for requests that are safe to repeat (5xx: the outcome may be unknown).
bool is_transient(long status, Repeat repeat) {
  if (status == 429) return true;
  if (repeat == Repeat::once) return false;
  return status == 500 || status == 502 || status == 503 || status == 504;
}

/// The server's problem, with the time its Retry-After names (if it sent one).
/// The error of an answer that is not a success: the CA's problem document as an AcmeError. A
/// redirect is thrown at once as Error(protocol): ACME servers give every URL in the directory and
/// in Location and Link headers, and a signed request is never sent on to where a redirect points.
AcmeError problem_error(const std::string& context, const http::Response& response) {
  if (response.status >= 300 && response.status < 400) {
    const auto location = response.header("Location");
    throw Error(ErrorKind::protocol,
                context + ": the ACME server answered with a redirect (HTTP " +
                    std::to_string(response.status) +
                    (location ? " to \"" + printable_text(*location, 200) + "\"" : std::string()) +
                    "), which ACME does not use; it was not followed");
  }
  std::optional<std::chrono::system_clock::time_point> at;
  if (const auto delay = retry_after_of(response)) at = std::chrono::system_clock::now() + *delay;
  return AcmeError(context, problem_from_body(response.body, int(response.status)), at);
}

/// Whether a Content-Type names JSON: application/json, or any type ending in "+json"
/// (application/problem+json), parameters such as a charset aside.
bool is_json_media_type(const std::string& content_type) {
  std::string type = core::ascii_lower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  const std::string suffix = "+json";
  return type == "application/json" ||
         (type.size() > suffix.size() &&
          type.compare(type.size() - suffix.size(), suffix.size(), suffix) == 0);
}

/// The JSON of a CA's answer. RFC 8555 section 6.2 has resources served as application/json: an
/// answer labelled as something else (an HTML page of a proxy or a portal that happens to be
/// valid JSON) is refused, naming what it was labelled. An answer without a Content-Type is read.
nlohmann::json json_of(const http::Response& response, const std::string& what) {
  if (const auto type = response.header("Content-Type"); type && !is_json_media_type(*type)) {
    throw Error(ErrorKind::protocol, what + ": the answer is labelled Content-Type \"" +
                                         printable_text(*type, 100) + "\", not application/json");
  }
  return parse_json_body(response.body, what);
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

  // The directory from the cache file, and the one fetched from the server once the cached one
  // was missing or failed. Each is set once and then kept, so that references handed out stay
  // valid while other threads switch to the fetched one.
  std::mutex directory_mutex;
  std::optional<Directory> cached_directory;
  std::optional<Directory> fetched_directory;
  /// Set (under directory_mutex) once cached_directory holds a copy, which is then never
  /// replaced: from then on it may be read without the mutex.
  std::atomic<bool> has_cached_directory{false};

  mutable std::mutex account_mutex;
  std::optional<PrivateKey> account_key;
  std::string account_url;
  std::string thumbprint;

  std::atomic<std::size_t> requests{0};
  std::atomic<std::size_t> bad_nonce_retries{0};
  std::atomic<std::size_t> transient_retries{0};
  std::atomic<std::size_t> polls{0};

  mutable std::mutex stop_mutex;
  StopToken stop;  // options.stop until set_stop_token() replaces it

  Impl(ClientOptions opts, std::shared_ptr<http::HttpClient> transport)
      : options(std::move(opts)),
        http(std::make_shared<CountingTransport>(std::move(transport))),
        stop(options.stop) {}

  /// What every request and wait observes.
  StopToken stop_token() const {
    std::lock_guard<std::mutex> lock(stop_mutex);
    return stop;
  }

  std::optional<DirectoryCache> directory_cache() const {
    if (!options.directory_cache.load || options.directory_cache_max_age.count() <= 0) {
      return std::nullopt;
    }
    return DirectoryCache(options.directory_cache, options.directory_cache_max_age);
  }

  /// The cached directory when there is a usable one; a cache that does not parse is ignored.
  std::optional<Directory> load_cached_directory() const {
    const auto cache = directory_cache();
    if (!cache) return std::nullopt;
    const auto body = cache->load(options.directory_url, std::chrono::system_clock::now());
    if (!body) return std::nullopt;
    try {
      return parse_directory(*body);
    } catch (const Error&) {
      return std::nullopt;
    }
  }

  Directory fetch_directory() {
    const auto response = send_get(options.directory_url);
    if (!is_success(response.status)) {
      throw Error(ErrorKind::protocol, "directory " + options.directory_url + " answered HTTP " +
                                           std::to_string(response.status));
    }
    const auto body = json_of(response, "directory " + options.directory_url);
    Directory directory = parse_directory(body);
    if (const auto cache = directory_cache()) {
      cache->save(options.directory_url, body, std::chrono::system_clock::now());
    }
    return directory;
  }

  /// The directory: fetched, else cached, else fetched now (once per client).
  const Directory& get_directory() {
    check_https(options.directory_url);  // a cached directory must not make an http:// one pass
    std::lock_guard<std::mutex> lock(directory_mutex);
    if (fetched_directory) return *fetched_directory;
    if (!cached_directory) cached_directory = load_cached_directory();
    if (cached_directory) {
      has_cached_directory = true;
      return *cached_directory;
    }
    fetched_directory = fetch_directory();
    return *fetched_directory;
  }

  /// After a URL of `used` failed: true when `used` came from the cache, which is then replaced
  /// by the server's current directory (fetched here unless another thread already did).
  bool refresh_if_cached(const Directory& used) {
    std::lock_guard<std::mutex> lock(directory_mutex);
    if (!cached_directory || &used != &*cached_directory) return false;
    if (!fetched_directory) fetched_directory = fetch_directory();
    return true;
  }

  /// Runs `operation` with the directory. When it fails as a stale cached directory would make
  /// it fail, the directory is fetched and the operation runs once more with it.
  template <typename Operation>
  auto with_directory(Operation operation)
      -> decltype(operation(std::declval<const Directory&>())) {
    const Directory& directory = get_directory();
    try {
      return operation(directory);
    } catch (const Error& e) {
      if (!looks_like_moved_url(e) || !refresh_if_cached(directory)) throw;
    }
    return operation(get_directory());
  }

  /// Whether `url` is one of the resources of the cached directory.
  bool is_cached_directory_url(const std::string& url) const {
    if (!has_cached_directory) return false;
    const Directory& d = *cached_directory;
    for (const std::string* resource :
         {&d.new_nonce, &d.new_account, &d.new_order, &d.revoke_cert, &d.key_change}) {
      if (*resource == url) return true;
    }
    return !d.renewal_info.empty() && url.rfind(d.renewal_info, 0) == 0;
  }

  void keep_nonce(const http::Response& response) {
    if (auto nonce = response.header("Replay-Nonce")) nonces.put(*nonce);
  }

  /// The last check before a request leaves: the configured directory URL, or one the caller
  /// passed in (an order URL kept from earlier, say), must be HTTPS too.
  void check_https(const std::string& url) const {
    if (is_https_url(url)) return;
    if (url == options.directory_url) {
      throw Error(ErrorKind::config, "the ACME directory URL \"" + printable_text(url) +
                                         "\" is not an https:// URL: RFC 8555 section 6.1 "
                                         "requires HTTPS for every ACME request");
    }
    throw Error(ErrorKind::protocol, "refusing to send an ACME request to \"" +
                                         printable_text(url) +
                                         "\": not an https:// URL (RFC 8555 section 6.1)");
  }

  http::Response send_get(const std::string& url) {
    check_https(url);
    return exchange(url, url, Repeat::safe, [&] {
      ++requests;
      auto response = http->get(url, {}, stop_token());
      keep_nonce(response);
      return response;
    });
  }

  std::string new_nonce(const std::string& url) {
    check_https(url);
    const auto response = exchange(url, "newNonce " + url, Repeat::safe, [&] {
      ++requests;
      return http->head(url, {}, stop_token());
    });
    if (!is_success(response.status)) throw problem_error("newNonce " + url, response);
    const auto nonce = response.header("Replay-Nonce");
    if (!nonce || !is_valid_nonce(*nonce)) {
      throw Error(ErrorKind::protocol, "newNonce " + url + " (HTTP " +
                                           std::to_string(response.status) +
                                           ") sent no valid Replay-Nonce header");
    }
    return *nonce;
  }

  /// A nonce from the pool (every response brings one), else from newNonce.
  std::string fresh_nonce() {
    if (auto nonce = nonces.take()) return *nonce;
    return with_directory([this](const Directory& d) { return new_nonce(d.new_nonce); });
  }

  Signer current_signer() const {
    std::lock_guard<std::mutex> lock(account_mutex);
    if (!account_key || account_url.empty()) {
      throw Error(ErrorKind::config, "no ACME account selected: register or look one up first");
    }
    return Signer{*account_key, account_url};
  }

  /// The one retry loop of every request: `send` (which signs anew with a fresh nonce, for a
  /// POST) is called again after a badNonce problem, and after a transient failure (429, 5xx, a
  /// failed connection) as `repeat` allows, waiting as the server's Retry-After says (bounded by
  /// retry_after_limit) or on a doubling backoff; every wait ends at once on stop. Returns the
  /// first response that is not retried, whatever its status; a failed connection that is not
  /// retried is rethrown.
  template <typename Send>
  http::Response exchange(const std::string& url, const std::string& what, Repeat repeat,
                          Send send) {
    int nonce_retries = 0;
    int transient = 0;
    std::chrono::milliseconds backoff = options.transient_initial_wait;
    for (;;) {
      http::Response response;
      std::exception_ptr failure;
      try {
        response = send();
      } catch (const http::NotSentError&) {
        // A cached directory's URL that cannot be reached: no transient failure but a stale
        // copy, which with_directory() replaces at once.
        if (is_cached_directory_url(url)) throw;
        failure = std::current_exception();  // never reached the server: always safe to repeat
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::network || repeat == Repeat::once) throw;
        failure = std::current_exception();
      }
      if (!failure) {
        if (is_success(response.status)) return response;
        if (problem_from_body(response.body, int(response.status)).is("badNonce")) {
          if (nonce_retries >= options.bad_nonce_retries) {
            throw AcmeError(what + " (refused " + std::to_string(nonce_retries + 1) +
                                " fresh nonces in a row, bad_nonce_retries)",
                            problem_from_body(response.body, int(response.status)));
          }
          ++nonce_retries;
          ++bad_nonce_retries;
          continue;
        }
        if (!is_transient(response.status, repeat)) return response;
      }
      const auto retry_after = failure ? std::nullopt : retry_after_of(response);
      if (retry_after && *retry_after > options.retry_after_limit) {
        const auto at = std::chrono::system_clock::now() + *retry_after;
        throw AcmeError(what + " (Retry-After beyond the limit of " +
                            core::duration_text(options.retry_after_limit) + ", retry_after_limit)",
                        problem_from_body(response.body, int(response.status)), at);
      }
      if (transient >= options.transient_retries) {
        if (failure) std::rethrow_exception(failure);
        return response;
      }
      std::chrono::milliseconds wait = backoff;
      if (retry_after) wait = std::max<std::chrono::milliseconds>(*retry_after, wait / 4);
      backoff *= 2;
      const StopToken stop = stop_token();
      if (!stop.wait_for(wait)) stop.throw_if_stopped(what);
      ++transient;
      ++transient_retries;
    }
  }

  /// A signed POST (payload JSON text, or "" for POST-as-GET, which is always safe to repeat),
  /// through exchange(). Returns any response it ends with, whatever its status.
  http::Response signed_post_response(const std::string& url, const std::string& payload,
                                      const Signer& signer, const http::Headers& extra_headers,
                                      Repeat repeat = Repeat::once) {
    check_https(url);
    http::Headers headers{{"Content-Type", kJoseContentType}};
    headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
    if (payload.empty()) repeat = Repeat::safe;
    return exchange(url, url, repeat, [&] {
      const std::string nonce = fresh_nonce();
      const auto jws = crypto::make_jws(signer.key, url, nonce, signer.kid, payload);
      ++requests;
      auto response = http->post(url, jws.dump(), headers, stop_token());
      keep_nonce(response);
      return response;
    });
  }

  /// signed_post_response() where any error status becomes an AcmeError.
  http::Response signed_post(const std::string& url, const std::string& payload,
                             const Signer& signer, const std::string& context,
                             const http::Headers& extra_headers = {},
                             Repeat repeat = Repeat::once) {
    auto response = signed_post_response(url, payload, signer, extra_headers, repeat);
    if (is_success(response.status)) return response;
    throw problem_error(context, response);
  }

  http::Response post_as_get(const std::string& url, const std::string& context,
                             const http::Headers& extra_headers = {}) {
    return signed_post(url, "", current_signer(), context, extra_headers);
  }

  /// Asks for the resource at `url` until `done` says it is finished, waiting before each
  /// request as the PollSchedule says (a server answering 429 or 5xx is asked again by
  /// exchange()).
  /// The waits end at once when stop is requested (Error(cancelled)). A resource that is not
  /// finished by poll_timeout, or whose server asks (Retry-After) to come back only after it,
  /// throws Error(ca_timeout) saying which.
  template <typename Resource, typename Parse, typename IsDone>
  Resource poll(const std::string& url, const std::string& what, Parse parse, IsDone done) {
    const auto started = Clock::now();
    const auto deadline = started + options.poll_timeout;
    PollSchedule schedule(options.poll_initial_interval, options.poll_max_interval, deadline);
    std::optional<std::chrono::seconds> retry_after;
    std::string last_status = "unknown";
    for (;;) {
      const auto now = Clock::now();
      const auto wait = schedule.next_wait(retry_after, now);
      if (!wait) throw_not_finished(what, last_status, retry_after, now - started, deadline);
      const StopToken stop = stop_token();
      if (!stop.wait_for(*wait)) stop.throw_if_stopped("polling " + what);
      ++polls;
      // A busy server (429, 5xx) is asked again inside, as its Retry-After says.
      const auto response = signed_post_response(url, "", current_signer(), {});
      retry_after = retry_after_of(response);
      if (!is_success(response.status)) throw problem_error(what, response);
      Resource resource = parse(json_of(response, what), url);
      if (done(resource)) return resource;
      last_status = resource.status;
    }
  }

  /// Why polling ends unfinished: the server asked (Retry-After) to wait beyond the deadline, or
  /// the deadline came.
  [[noreturn]] void throw_not_finished(const std::string& what, const std::string& status,
                                       std::optional<std::chrono::seconds> retry_after,
                                       Clock::duration polled, Clock::time_point deadline) const {
    const std::string limit = core::duration_text(options.poll_timeout) + " (poll_timeout)";
    const std::string polled_text =
        core::duration_text(std::chrono::duration_cast<std::chrono::milliseconds>(polled));
    // The CA's Retry-After is why only when it asked for longer than the schedule's own waits.
    if (retry_after && *retry_after > options.poll_max_interval &&
        Clock::now() + *retry_after > deadline) {
      const auto until = std::chrono::system_clock::now() + *retry_after;
      throw Error(ErrorKind::ca_timeout, what + " is still \"" + status +
                                             "\" and the CA asked (Retry-After) to wait until " +
                                             core::format_rfc3339(until) +
                                             ", beyond the poll limit of " + limit +
                                             "; polled for " + polled_text);
    }
    throw Error(ErrorKind::ca_timeout, what + " never left \"" + status + "\" within " + limit +
                                           "; polled for " + polled_text);
  }
};

Client::Client(ClientOptions options) {
  auto transport = http::make_curl_http_client(http::Options{
      options.ca_bundle, options.connect_timeout, options.request_timeout, 8 * 1024 * 1024, {}});
  impl_ = std::make_unique<Impl>(std::move(options), std::move(transport));
}

Client::~Client() = default;

const Directory& Client::directory() {
  return impl_->get_directory();
}

Account Client::new_account(const PrivateKey& key, const std::vector<std::string>& contact,
                            bool terms_agreed, const std::optional<ExternalAccountBinding>& eab) {
  std::string mac_key;
  if (eab) {
    try {
      mac_key = core::base64url_decode(eab->hmac_key);
    } catch (const Error&) {
      throw Error(ErrorKind::invalid_input, "EAB HMAC key is not valid base64url");
    }
  }
  const auto send = [&] {
    return impl_->with_directory([&](const Directory& dir) {
      nlohmann::json payload = {{"termsOfServiceAgreed", terms_agreed}};
      if (!contact.empty()) payload["contact"] = contact;
      if (eab) {
        payload["externalAccountBinding"] =
            crypto::make_eab(eab->kid, mac_key, crypto::public_jwk(key), dir.new_account);
      }
      return impl_->signed_post(dir.new_account, payload.dump(), Signer{key, std::nullopt},
                                "new account");
    });
  };
  http::Response response;
  try {
    response = send();
  } catch (const Error& e) {
    if (!outcome_unknown(e)) throw;
    // The account may have been created: look it up by its key before registering again.
    if (auto found = find_account(key)) return *found;
    response = send();
  }
  const auto url = response.header("Location");
  if (!url || url->empty()) {
    throw Error(ErrorKind::protocol, "new account response has no Location header");
  }
  require_https_url(*url, "the new account's Location");
  auto account = parse_account(json_of(response, "new account"), *url);
  use_account(key, account.url);
  return account;
}

std::optional<Account> Client::find_account(const PrivateKey& key) {
  const nlohmann::json payload = {{"onlyReturnExisting", true}};
  try {
    const auto response = impl_->with_directory([&](const Directory& dir) {
      return impl_->signed_post(dir.new_account, payload.dump(), Signer{key, std::nullopt},
                                "account lookup", {}, Repeat::safe);  // creates nothing
    });
    const auto url = response.header("Location");
    if (!url || url->empty()) {
      throw Error(ErrorKind::protocol, "account lookup response has no Location header");
    }
    require_https_url(*url, "the account's Location");
    auto account = parse_account(json_of(response, "account lookup"), *url);
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
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& id : identifiers) ids.push_back({{"type", id.type}, {"value", id.value}});
  nlohmann::json payload = {{"identifiers", ids}};
  if (options.replaces) payload["replaces"] = *options.replaces;
  if (options.profile) payload["profile"] = *options.profile;
  const auto response = impl_->with_directory([&](const Directory& dir) {
    return impl_->signed_post(dir.new_order, payload.dump(), impl_->current_signer(), "new order");
  });
  const auto url = response.header("Location");
  if (!url || url->empty()) throw Error(ErrorKind::protocol, "new order response has no Location");
  require_https_url(*url, "the new order's Location");
  require_same_origin(*url, impl_->options.directory_url, "the new order's Location");
  return parse_order(json_of(response, "new order"), *url);
}

Order Client::get_order(const std::string& url) {
  const auto response = impl_->post_as_get(url, "order " + url);
  return parse_order(json_of(response, "order " + url), url);
}

Authorization Client::get_authorization(const std::string& url) {
  const auto response = impl_->post_as_get(url, "authorization " + url);
  return parse_authorization(json_of(response, "authorization " + url), url);
}

Challenge Client::answer_challenge(const std::string& challenge_url) {
  // Answering twice is harmless (RFC 8555 section 7.5.1: the server validates once).
  const auto response = impl_->signed_post(challenge_url, "{}", impl_->current_signer(),
                                           "challenge " + challenge_url, {}, Repeat::safe);
  return parse_challenge(json_of(response, "challenge " + challenge_url));
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
  const auto send = [&] {
    const auto response = impl_->signed_post(order.finalize, payload.dump(),
                                             impl_->current_signer(), "finalize " + order.url);
    return parse_order(json_of(response, "finalize " + order.url), order.url);
  };
  try {
    return send();
  } catch (const Error& e) {
    if (!outcome_unknown(e)) throw;
    // A busy CA's Retry-After (503) is honoured before it is asked anything again; one beyond
    // retry_after_limit ends the attempt with the CA's time (retry_at()).
    if (const auto* busy = dynamic_cast<const AcmeError*>(&e); busy && busy->retry_at()) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
          *busy->retry_at() - std::chrono::system_clock::now());
      if (wait > impl_->options.retry_after_limit) throw;
      const StopToken stop = impl_->stop_token();
      if (wait.count() > 0 && !stop.wait_for(wait)) stop.throw_if_stopped("finalize " + order.url);
    }
    // The CA may have acted on it: its order says. Still "ready": it did not, so finalize again.
    const Order now = get_order(order.url);
    if (now.status != "ready") return now;
  }
  return send();
}

CertificateChain Client::download_certificate(const std::string& url) {
  const auto response = impl_->post_as_get(url, "certificate " + url,
                                           {{"Accept", "application/pem-certificate-chain"}});
  CertificateChain chain;
  chain.url = url;
  chain.pem = response.body;
  chain.alternate_urls = links_with_rel(response.headers_named("Link"), "alternate");
  for (const auto& alternate : chain.alternate_urls) {
    require_https_url(alternate, "an alternate chain's Link");
  }
  return chain;
}

void Client::revoke_certificate(const std::string& certificate, std::optional<int> reason) {
  const auto payload = revocation_payload(certificate, reason).dump();
  impl_->with_directory([&](const Directory& dir) {
    return impl_->signed_post(required_resource(dir.revoke_cert, "revokeCert"), payload,
                              impl_->current_signer(), "revoke certificate");
  });
}

void Client::revoke_certificate_with_key(const std::string& certificate,
                                         const PrivateKey& certificate_key,
                                         std::optional<int> reason) {
  const auto payload = revocation_payload(certificate, reason).dump();
  impl_->with_directory([&](const Directory& dir) {
    return impl_->signed_post(required_resource(dir.revoke_cert, "revokeCert"), payload,
                              Signer{certificate_key, std::nullopt},
                              "revoke certificate (certificate key)");
  });
}

void Client::key_change(const PrivateKey& new_key) {
  const Signer old_signer = impl_->current_signer();
  impl_->with_directory([&](const Directory& dir) {
    const auto& url = required_resource(dir.key_change, "keyChange");
    const auto inner = crypto::make_key_change_jws(new_key, url, *old_signer.kid,
                                                   crypto::public_jwk(old_signer.key));
    return impl_->signed_post(url, inner.dump(), old_signer, "account key change");
  });
  use_account(new_key, *old_signer.kid);
}

Account Client::get_account() {
  const Signer signer = impl_->current_signer();
  const auto response = impl_->signed_post(*signer.kid, "", signer, "account " + *signer.kid);
  return parse_account(json_of(response, "account " + *signer.kid), *signer.kid);
}

Account Client::update_account(const std::vector<std::string>& contact) {
  const Signer signer = impl_->current_signer();
  const nlohmann::json payload = {{"contact", contact}};
  const auto response =
      impl_->signed_post(*signer.kid, payload.dump(), signer, "account update " + *signer.kid);
  return parse_account(json_of(response, "account update " + *signer.kid), *signer.kid);
}

Account Client::deactivate_account() {
  const Signer signer = impl_->current_signer();
  const nlohmann::json payload = {{"status", "deactivated"}};
  const auto response = impl_->signed_post(*signer.kid, payload.dump(), signer,
                                           "account deactivation " + *signer.kid);
  return parse_account(json_of(response, "account deactivation " + *signer.kid), *signer.kid);
}

std::string Client::account_url() const {
  std::lock_guard<std::mutex> lock(impl_->account_mutex);
  return impl_->account_url;
}

RenewalInfo Client::renewal_info(const std::string& certificate_pem) {
  const std::string id = certificate_id(certificate_pem);
  return impl_->with_directory([&](const Directory& dir) {
    const std::string url = join_url(required_resource(dir.renewal_info, "renewalInfo"), id);
    const std::string what = "renewal information " + url;
    const auto response = impl_->send_get(url);
    if (!is_success(response.status)) throw problem_error(what, response);
    RenewalInfo info = parse_renewal_info(json_of(response, what), what);
    info.retry_after = retry_after_of(response);
    return info;
  });
}

bool outcome_unknown(const Error& e) {
  if (const auto* acme_error = dynamic_cast<const AcmeError*>(&e)) {
    return acme_error->problem().status >= 500;
  }
  return e.kind() == ErrorKind::network && dynamic_cast<const http::NotSentError*>(&e) == nullptr;
}

std::string certificate_id(std::string_view certificate_pem) {
  return crypto::ari_certificate_id(certificate_pem);
}

void Client::set_stop_token(StopToken stop) {
  std::lock_guard<std::mutex> lock(impl_->stop_mutex);
  impl_->stop = std::move(stop);
}

StopToken Client::stop_token() const {
  return impl_->stop_token();
}

RequestStats Client::stats() const {
  RequestStats stats;
  stats.requests = impl_->requests.load();
  stats.bad_nonce_retries = impl_->bad_nonce_retries.load();
  stats.transient_retries = impl_->transient_retries.load();
  stats.polls = impl_->polls.load();
  stats.by_result = impl_->http->by_result();
  return stats;
}

}  // namespace acmecpp::acme
