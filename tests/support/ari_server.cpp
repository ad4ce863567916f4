// SPDX-License-Identifier: Apache-2.0
#include "support/ari_server.hpp"

#include <httplib.h>

#include <array>
#include <condition_variable>
#include <thread>

#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "core/rfc3339.hpp"
#include "support/pebble_forward.hpp"

namespace acmecpp::testing {
namespace {

constexpr const char* kRenewalInfoPath = "/renewal-info";
const std::string kProblemType = "application/problem+json";

nlohmann::json problem(const std::string& type, const std::string& detail, int status) {
  return {{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}, {"status", status}};
}

constexpr std::size_t kRequestKinds = std::size_t(CaRequest::account) + 1;

/// The kind of a request by Pebble 2.4's paths; nullopt for the directory and the rest.
std::optional<CaRequest> kind_of(const std::string& method, const std::string& path) {
  const auto starts = [&path](const char* prefix) { return path.rfind(prefix, 0) == 0; };
  if (starts("/nonce-plz")) return CaRequest::new_nonce;
  if (method != "POST") return std::nullopt;
  if (starts("/sign-me-up")) return CaRequest::new_account;
  if (starts("/order-plz")) return CaRequest::new_order;
  if (starts("/my-order/")) return CaRequest::order;
  if (starts("/authZ/")) return CaRequest::authorization;
  if (starts("/chalZ/")) return CaRequest::challenge;
  if (starts("/finalize-order/")) return CaRequest::finalize;
  if (starts("/certZ/")) return CaRequest::certificate;
  if (starts("/revoke-cert")) return CaRequest::revoke;
  if (starts("/my-account/")) return CaRequest::account;
  return std::nullopt;
}

void answer_with(const Injection& injection, httplib::Response& res) {
  res.status = injection.status;
  res.headers.erase("Location");
  res.headers.erase("Link");
  res.headers.erase("Retry-After");
  if (!injection.retry_after.empty()) res.set_header("Retry-After", injection.retry_after);
  if (injection.problem_type.empty()) {
    res.set_content("", "text/plain");
    return;
  }
  res.set_content(problem(injection.problem_type, injection.detail, injection.status).dump(),
                  kProblemType);
}

}  // namespace

struct AriServer::State {
  PebbleForwarder pebble;
  std::vector<std::string> profiles;

  mutable std::mutex mutex;
  std::condition_variable changed;  // hang_new_orders cleared, or closing
  std::optional<AriWindow> window;
  bool reject_replaces = false;
  bool hang_new_orders = false;
  bool closing = false;
  std::optional<std::string> hold_processing;  // the Retry-After value
  std::size_t held_answers = 0;
  std::optional<std::string> new_order_problem;
  std::vector<nlohmann::json> orders;
  std::vector<std::string> renewal_requests;
  std::string new_order_path;
  std::array<std::optional<Injection>, kRequestKinds> injections;
  std::array<std::size_t, kRequestKinds> request_counts{};
  std::array<std::size_t, kRequestKinds> injected_counts{};
  std::optional<Injection> replaces_refusal;

  /// The injection that answers this request (counted), if any.
  std::optional<Injection> take_injection(const httplib::Request& req) {
    const auto kind = kind_of(req.method, req.path);
    if (!kind) return std::nullopt;
    std::lock_guard<std::mutex> lock(mutex);
    const auto i = std::size_t(*kind);
    ++request_counts[i];
    auto& injection = injections[i];
    if (!injection || injection->times <= 0) return std::nullopt;
    ++injected_counts[i];
    Injection taken = *injection;
    if (--injection->times == 0) injection.reset();
    return taken;
  }

  /// Forwards to Pebble unless an injection answers; true when one did.
  bool forward_or_inject(const httplib::Request& req, httplib::Response& res) {
    const auto injection = take_injection(req);
    if (!injection) {
      pebble.forward(req, res);
      return false;
    }
    if (injection->after_forwarding) pebble.forward(req, res);
    answer_with(*injection, res);
    return true;
  }

  void get(const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind(std::string(kRenewalInfoPath) + "/", 0) == 0) {
      serve_renewal_info(req, res);
      return;
    }
    if (forward_or_inject(req, res)) return;
    if (res.status == 200 && req.path == "/dir") extend_directory(req, res);
  }

  void extend_directory(const httplib::Request& req, httplib::Response& res) {
    auto directory = nlohmann::json::parse(res.body);
    directory["renewalInfo"] = "https://" + req.get_header_value("Host") + kRenewalInfoPath;
    if (!profiles.empty()) {
      for (const auto& name : profiles) directory["meta"]["profiles"][name] = "stand-in " + name;
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      new_order_path = path_of(directory.value("newOrder", ""));
    }
    res.set_content(directory.dump(), "application/json");
  }

  void serve_renewal_info(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex);
    renewal_requests.push_back(req.path.substr(std::string(kRenewalInfoPath).size() + 1));
    if (!window) {
      res.status = 404;
      res.set_content(problem("malformed", "no renewal information", 404).dump(), kProblemType);
      return;
    }
    nlohmann::json body = {{"suggestedWindow",
                            {{"start", core::format_rfc3339(window->start)},
                             {"end", core::format_rfc3339(window->end)}}}};
    if (!window->explanation_url.empty()) body["explanationURL"] = window->explanation_url;
    if (window->retry_after)
      res.set_header("Retry-After", std::to_string(window->retry_after->count()));
    res.set_content(body.dump(), "application/json");
  }

  /// True when the request was answered here (alreadyReplaced, a problem, or 503 after a hang
  /// ended because the stand-in closes) instead of by Pebble.
  bool record_order(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mutex);
    if (req.path != new_order_path) return false;
    const auto jws = nlohmann::json::parse(req.body, nullptr, false);
    const auto payload = nlohmann::json::parse(
        core::base64url_decode(jws.value("payload", std::string())), nullptr, false);
    orders.push_back(payload);
    if (new_order_problem) {
      res.status = 400;
      res.set_content(problem("rejectedIdentifier", *new_order_problem, 400).dump(), kProblemType);
      return true;
    }
    changed.wait(lock, [this] { return !hang_new_orders || closing; });
    if (closing) {
      res.status = 503;
      res.set_content(problem("serverInternal", "stand-in: closing", 503).dump(), kProblemType);
      return true;
    }
    if (!payload.is_object() || !payload.contains("replaces")) return false;
    if (replaces_refusal) {
      answer_with(*replaces_refusal, res);
      return true;
    }
    if (!reject_replaces) return false;
    res.status = 409;
    res.set_content(
        problem("alreadyReplaced", "stand-in: certificate already replaced", 409).dump(),
        kProblemType);
    return true;
  }

  void post(const httplib::Request& req, httplib::Response& res) {
    if (record_order(req, res)) return;
    if (forward_or_inject(req, res)) return;
    hold_if_finished(res);
  }

  /// With hold_processing: an order that is "processing" or "valid" stays "processing".
  void hold_if_finished(httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!hold_processing || res.status != 200) return;
    auto order = nlohmann::json::parse(res.body, nullptr, false);
    if (!order.is_object() || !order.contains("finalize")) return;
    const std::string status = order.value("status", "");
    if (status != "processing" && status != "valid") return;
    order["status"] = "processing";
    order.erase("certificate");
    res.set_content(order.dump(), "application/json");
    res.headers.erase("Retry-After");
    res.set_header("Retry-After", *hold_processing);
    ++held_answers;
  }

  explicit State(const PebbleEnv& env) : pebble(env) {}
  // Last: destroyed (stopped) first, before what its handler uses.
  std::unique_ptr<PebbleFrontServer> front;
};

AriServer::AriServer(const PebbleEnv& pebble, std::vector<std::string> profiles)
    : state_(std::make_shared<State>(pebble)) {
  State& state = *state_;
  state.profiles = std::move(profiles);
  state.front = std::make_unique<PebbleFrontServer>(
      pebble, [&state](const auto& req, auto& res) { state.get(req, res); },
      [&state](const auto& req, auto& res) { state.post(req, res); }, "ARI stand-in");
}

AriServer::~AriServer() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->closing = true;  // hanging newOrder requests end, so that their threads can be joined
  }
  state_->changed.notify_all();
  state_->front.reset();
}

std::string AriServer::directory_url() const {
  return state_->front->origin() + "/dir";
}

void AriServer::set_window(const AriWindow& window) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->window = window;
}

void AriServer::set_reject_replaces(bool reject) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->reject_replaces = reject;
}

void AriServer::set_hang_new_orders(bool hang) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->hang_new_orders = hang;
  }
  state_->changed.notify_all();
}

void AriServer::set_hold_processing(std::optional<std::string> retry_after) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->hold_processing = std::move(retry_after);
}

std::size_t AriServer::held_processing_answers() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->held_answers;
}

void AriServer::set_new_order_problem(std::optional<std::string> detail) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->new_order_problem = std::move(detail);
}

void AriServer::inject(CaRequest kind, const Injection& injection) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->injections[std::size_t(kind)] = injection;
}

std::size_t AriServer::requests(CaRequest kind) const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->request_counts[std::size_t(kind)];
}

std::size_t AriServer::injected(CaRequest kind) const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->injected_counts[std::size_t(kind)];
}

void AriServer::set_replaces_refusal(std::optional<Injection> refusal) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->replaces_refusal = std::move(refusal);
}

std::vector<nlohmann::json> AriServer::new_order_payloads() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->orders;
}

std::vector<std::string> AriServer::renewal_info_requests() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->renewal_requests;
}

}  // namespace acmecpp::testing
