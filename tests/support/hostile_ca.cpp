// SPDX-License-Identifier: Apache-2.0
#include "support/hostile_ca.hpp"

#include <openssl/x509.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "core/base64.hpp"
#include "support/free_port.hpp"
#include "support/local_ca.hpp"
#include "support/local_http_server.hpp"
#include "support/pebble_forward.hpp"

namespace acmecpp::testing {
namespace {

/// The public key of the CSR in a finalize request's JWS, if it is one.
std::optional<PrivateKey> csr_key_of(const std::string& jws_text) {
  const auto jws = nlohmann::json::parse(jws_text, nullptr, false);
  if (!jws.is_object() || !jws.contains("payload") || !jws["payload"].is_string()) {
    return std::nullopt;
  }
  const auto payload = nlohmann::json::parse(
      core::base64url_decode(jws["payload"].get<std::string>()), nullptr, false);
  if (!payload.is_object() || !payload.contains("csr")) return std::nullopt;
  const std::string der = core::base64url_decode(payload["csr"].get<std::string>());
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  X509_REQ* request = d2i_X509_REQ(nullptr, &bytes, static_cast<long>(der.size()));
  if (request == nullptr) return std::nullopt;
  EVP_PKEY* key = X509_REQ_get_pubkey(request);  // a new reference
  X509_REQ_free(request);
  if (key == nullptr) return std::nullopt;
  const PrivateKey shared = PrivateKey::from_native(key);  // public half only: enough to certify
  EVP_PKEY_free(key);
  return shared;
}

std::string hostile_problem() {
  std::string detail = HostileCa::kProblemDetailStart;
  detail += std::string(7 * 1024 * 1024, 'A');
  detail += std::string("\0\0\0 the end", 11);  // after the bulk: a NUL must not hide it
  return nlohmann::json{
      {"type", "urn:ietf:params:acme:error:unauthorized"}, {"detail", detail}, {"status", 403}}
      .dump();
}

/// Something a client takes for a nonce: 22 base64url characters, new each time.
std::string random_nonce() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string nonce(22, 'A');
  for (auto& c : nonce) c = kAlphabet[random() % 64];
  return nonce;
}

}  // namespace

struct HostileCa::State {
  PebbleForwarder pebble;
  LocalCa ca = LocalCa::root("hostile stand-in CA");  // never issued anything Pebble made
  std::atomic<Misbehaviour> misbehaviour{Misbehaviour::none};
  std::atomic<int> plain_requests{0};
  std::atomic<int> changed{0};
  std::atomic<int> new_orders{0};
  std::atomic<int> posts{0};
  std::atomic<bool> stopping{false};  // ends the endless and dripping bodies
  std::uint16_t plain_port = free_tcp_port();
  std::uint16_t unused_port = free_tcp_port();  // nothing listens there

  std::mutex mutex;
  std::string new_order_path;
  std::optional<PrivateKey> csr_key;  // of the last finalize request

  explicit State(const PebbleEnv& env) : pebble(env) {}

  std::string plain_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(plain_port) + path;
  }

  void get(const httplib::Request& req, httplib::Response& res) {
    pebble.forward(req, res);
    if (res.status != 200 || req.path != "/dir") return;
    auto directory = nlohmann::json::parse(res.body);
    {
      std::lock_guard<std::mutex> lock(mutex);
      new_order_path = path_of(directory.value("newOrder", ""));
    }
    if (misbehaviour == Misbehaviour::http_directory) {
      directory["newOrder"] = plain_url(new_order_path);
      res.set_content(directory.dump(), "application/json");
    }
  }

  bool is_new_order(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mutex);
    return !new_order_path.empty() && req.path == new_order_path;
  }

  void post(const httplib::Request& req, httplib::Response& res) {
    const Misbehaviour now = misbehaviour;
    ++posts;
    const bool new_order = is_new_order(req);
    if (new_order) ++new_orders;
    if (now == Misbehaviour::bad_nonce_forever) return refuse_nonce(res);
    if (new_order && answer_new_order_badly(now, req, res)) return;
    if (auto key = csr_key_of(req.body)) {
      std::lock_guard<std::mutex> lock(mutex);
      csr_key = *key;
    }
    pebble.forward(req, res);
    if (new_order) change_order(now, res);
    if (res.status == 200 &&
        res.get_header_value("Content-Type").rfind("application/pem-certificate-chain", 0) == 0) {
      change_certificate(now, res);
    }
  }

  static void refuse_nonce(httplib::Response& res) {
    res.status = 400;
    res.set_header("Replay-Nonce", random_nonce());
    res.set_content(nlohmann::json{{"type", "urn:ietf:params:acme:error:badNonce"},
                                   {"detail", "JWS has an invalid anti-replay nonce"},
                                   {"status", 400}}
                        .dump(),
                    "application/problem+json");
  }

  /// Answers newOrder without Pebble for the misbehaviours that need no order; false otherwise.
  bool answer_new_order_badly(Misbehaviour now, const httplib::Request& req,
                              httplib::Response& res) {
    switch (now) {
      case Misbehaviour::hostile_problem:
        res.status = 403;
        res.set_content(hostile_problem(), "application/problem+json");
        return true;
      case Misbehaviour::endless_body:
        res.status = 201;
        res.set_header("Replay-Nonce", random_nonce());
        res.set_chunked_content_provider("application/json", [this](std::size_t offset,
                                                                    httplib::DataSink& sink) {
          const std::string chunk = offset == 0 ? std::string("{\"status\": \"pending\", \"x\": \"")
                                                : std::string(64 * 1024, 'A');
          return !stopping && sink.write(chunk.data(), chunk.size());
        });
        return true;
      case Misbehaviour::slow_drip:
        res.status = 201;
        res.set_header("Replay-Nonce", random_nonce());
        res.set_chunked_content_provider(
            "application/json", [this](std::size_t, httplib::DataSink& sink) {
              std::this_thread::sleep_for(std::chrono::milliseconds(200));
              return !stopping && sink.write(" ", 1);
            });
        return true;
      case Misbehaviour::invalid_json:
        res.status = 201;
        res.set_header("Replay-Nonce", random_nonce());
        res.set_header("Location", "https://" + req.get_header_value("Host") + "/my-order/1");
        res.set_content("{\"status\": \"pending\", \"identifiers\": [", "application/json");
        return true;
      case Misbehaviour::redirect:
        res.status = 302;
        res.set_header("Replay-Nonce", random_nonce());
        res.set_header("Location", "https://" + req.get_header_value("Host") + req.path);
        return true;
      default:
        return false;
    }
  }

  /// Pebble's answer to newOrder, changed for the misbehaviours that keep Pebble's order.
  void change_order(Misbehaviour now, httplib::Response& res) {
    const std::string location = res.get_header_value("Location");
    switch (now) {
      case Misbehaviour::http_location:
        if (location.empty()) return;
        res.headers.erase("Location");
        res.set_header("Location", plain_url(path_of(location)));
        return;
      case Misbehaviour::other_origin:
        if (location.empty()) return;
        res.headers.erase("Location");
        res.set_header("Location",
                       "https://127.0.0.2:" + std::to_string(unused_port) + path_of(location));
        return;
      case Misbehaviour::wrong_content_type:
        res.set_content(std::string(res.body), "text/html");
        return;
      case Misbehaviour::wrong_types: {
        auto order = nlohmann::json::parse(res.body, nullptr, false);
        if (!order.is_object()) return;
        order["status"] = 42;
        order["authorizations"] = "all of them";
        order["finalize"] = nlohmann::json::array({"https://example.test/finalize"});
        res.set_content(order.dump(), "application/json");
        return;
      }
      default:
        return;
    }
  }

  void change_certificate(Misbehaviour now, httplib::Response& res) {
    const std::string real = res.body;
    const std::string leaf = split_pem_chain(real).front();
    std::string changed_chain;
    switch (now) {
      case Misbehaviour::wrong_key:
        changed_chain =
            ca.issue(PrivateKey::generate(KeyType::ec256), parse_certificate(leaf).dns_names) +
            ca.pem;
        break;
      case Misbehaviour::other_names: {
        std::lock_guard<std::mutex> lock(mutex);
        if (!csr_key) return;
        changed_chain = ca.issue(*csr_key, {"not-ordered.example.test"}) + ca.pem;
        break;
      }
      case Misbehaviour::broken_chain:
        changed_chain = leaf + ca.pem;
        break;
      case Misbehaviour::junk_around_pem:
        changed_chain = "Here is your certificate\n" + real + "\x1b[31mthanks\n";
        break;
      default:
        return;
    }
    ++changed;
    res.set_content(changed_chain, "application/pem-certificate-chain");
  }

  // Last: stopped first, before what their handlers use.
  std::unique_ptr<LocalHttpServer> plain;
  std::unique_ptr<PebbleFrontServer> front;
};

HostileCa::HostileCa(const PebbleEnv& pebble) : state_(std::make_shared<State>(pebble)) {
  State& state = *state_;
  state.plain = std::make_unique<LocalHttpServer>(state.plain_port, [&state](httplib::Server& s) {
    s.set_pre_routing_handler([&state](const httplib::Request&, httplib::Response& res) {
      ++state.plain_requests;
      res.status = 404;
      return httplib::Server::HandlerResponse::Handled;
    });
  });
  state.front = std::make_unique<PebbleFrontServer>(
      pebble, [&state](const auto& req, auto& res) { state.get(req, res); },
      [&state](const auto& req, auto& res) { state.post(req, res); }, "hostile CA stand-in");
}

HostileCa::~HostileCa() {
  state_->stopping = true;
  state_->front.reset();
  state_->plain.reset();
}

std::string HostileCa::directory_url() const {
  return state_->front->origin() + "/dir";
}

void HostileCa::set(Misbehaviour misbehaviour) {
  state_->misbehaviour = misbehaviour;
}

int HostileCa::plain_http_requests() const {
  return state_->plain_requests;
}

int HostileCa::certificates_changed() const {
  return state_->changed;
}

int HostileCa::new_orders() const {
  return state_->new_orders;
}

int HostileCa::posts() const {
  return state_->posts;
}

}  // namespace acmecpp::testing
