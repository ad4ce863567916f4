#include "support/ari_server.hpp"

#include <httplib.h>

#include <thread>

#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "core/rfc3339.hpp"

namespace acmecpp::testing {
namespace {

constexpr const char* kRenewalInfoPath = "/renewal-info";
const std::string kProblemType = "application/problem+json";

// Response headers an ACME client reads, passed back from Pebble as they came.
constexpr const char* kForwardedHeaders[] = {"Replay-Nonce", "Location", "Link", "Retry-After",
                                             "Cache-Control"};

std::string path_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto path_start = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  return path_start == std::string::npos ? "/" : url.substr(path_start);
}

nlohmann::json problem(const std::string& type, const std::string& detail, int status) {
  return {{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}, {"status", status}};
}

}  // namespace

struct AriServer::State {
  const PebbleEnv* pebble = nullptr;
  std::vector<std::string> profiles;
  httplib::SSLServer server;
  std::thread thread;
  int port = 0;

  mutable std::mutex mutex;
  std::optional<AriWindow> window;
  bool reject_replaces = false;
  std::optional<std::string> new_order_problem;
  std::vector<nlohmann::json> orders;
  std::vector<std::string> renewal_requests;
  std::string new_order_path;

  explicit State(const PebbleEnv& env)
      : pebble(&env),
        server((env.state_dir() / "certs" / "cert.pem").c_str(),
               (env.state_dir() / "certs" / "key.pem").c_str()) {}

  std::unique_ptr<httplib::SSLClient> upstream() const {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", pebble->ports().acme);
    client->set_ca_cert_path(pebble->ca_bundle().c_str());
    client->enable_server_certificate_verification(true);
    return client;
  }

  // Pebble derives every URL it returns, and the JWS "url" it expects, from the Host header.
  static httplib::Headers forwarded_request_headers(const httplib::Request& req) {
    httplib::Headers headers{{"Host", req.get_header_value("Host")}};
    for (const char* name : {"Accept"}) {
      if (req.has_header(name)) headers.emplace(name, req.get_header_value(name));
    }
    return headers;
  }

  static void copy_response(const httplib::Result& result, httplib::Response& res) {
    if (!result) {
      res.status = 502;
      res.set_content("proxy: Pebble did not answer", "text/plain");
      return;
    }
    res.status = result->status;
    for (const char* name : kForwardedHeaders) {
      const auto range = result->headers.equal_range(name);
      for (auto it = range.first; it != range.second; ++it) res.headers.emplace(name, it->second);
    }
    res.set_content(result->body, result->get_header_value("Content-Type").c_str());
  }

  void get(const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind(std::string(kRenewalInfoPath) + "/", 0) == 0) {
      serve_renewal_info(req, res);
      return;
    }
    auto client = upstream();
    const auto headers = forwarded_request_headers(req);
    const auto result = req.method == "HEAD" ? client->Head(req.path.c_str(), headers)
                                             : client->Get(req.path.c_str(), headers);
    copy_response(result, res);
    if (result && result->status == 200 && req.path == "/dir") extend_directory(req, res);
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

  /// True when the request was answered here (a problem) instead of by Pebble.
  bool record_order(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex);
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
    if (!reject_replaces || !payload.is_object() || !payload.contains("replaces")) return false;
    res.status = 409;
    res.set_content(
        problem("alreadyReplaced", "stand-in: certificate already replaced", 409).dump(),
        kProblemType);
    return true;
  }

  void post(const httplib::Request& req, httplib::Response& res) {
    if (record_order(req, res)) return;
    auto client = upstream();
    const auto result = client->Post(req.path.c_str(), forwarded_request_headers(req), req.body,
                                     req.get_header_value("Content-Type").c_str());
    copy_response(result, res);
  }
};

AriServer::AriServer(const PebbleEnv& pebble, std::vector<std::string> profiles)
    : state_(std::make_shared<State>(pebble)) {
  State& state = *state_;
  state.profiles = std::move(profiles);
  if (!state.server.is_valid()) throw Error(ErrorKind::config, "ARI stand-in: TLS setup failed");
  state.server.Get(
      ".*", [&state](const httplib::Request& req, httplib::Response& res) { state.get(req, res); });
  state.server.Post(".*", [&state](const httplib::Request& req, httplib::Response& res) {
    state.post(req, res);
  });
  state.port = state.server.bind_to_any_port("127.0.0.1");
  if (state.port <= 0) throw Error(ErrorKind::config, "ARI stand-in: cannot bind 127.0.0.1");
  state.thread = std::thread([&state] { state.server.listen_after_bind(); });
  while (!state.server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

AriServer::~AriServer() {
  state_->server.stop();
  state_->thread.join();
}

std::string AriServer::directory_url() const {
  return "https://127.0.0.1:" + std::to_string(state_->port) + "/dir";
}

void AriServer::set_window(const AriWindow& window) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->window = window;
}

void AriServer::set_reject_replaces(bool reject) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->reject_replaces = reject;
}

void AriServer::set_new_order_problem(std::optional<std::string> detail) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->new_order_problem = std::move(detail);
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
