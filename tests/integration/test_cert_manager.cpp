// The library's CertManager against a real Pebble: the proxy-side HTTP-01 handler, concurrent
// authorizations, preferred chains, and the request count of one issuance.

#include <doctest/doctest.h>
#include <httplib.h>

#include <thread>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/http01.hpp"
#include "support/pebble_env.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

ManagerConfig config_for(const PebbleEnv& pebble, const std::filesystem::path& store_path) {
  ManagerConfig config;
  config.acme.directory_url = pebble.directory_url();
  config.acme.ca_bundle = pebble.ca_bundle().string();
  config.email = "lib@example.test";
  config.agree_tos = true;
  config.account_key_type = KeyType::ec256;
  config.store = std::make_shared<AcmeJsonStore>(store_path.string());
  config.resolver = "proxy";
  return config;
}

/// A proxy's own port-80 listener that hands challenge paths to the Http01Handler.
class ProxyListener {
 public:
  ProxyListener(std::shared_ptr<Http01Handler> handler, std::uint16_t port) {
    server_.Get(".*", [handler](const httplib::Request& req, httplib::Response& res) {
      if (auto body = handler->response(req.path)) {
        res.set_content(*body, "application/octet-stream");
      } else {
        res.status = 404;
      }
    });
    REQUIRE(server_.bind_to_port("127.0.0.1", port));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ProxyListener() {
    server_.stop();
    thread_.join();
  }

 private:
  httplib::Server server_;
  std::thread thread_;
};

/// The CN of a PEM certificate fetched from Pebble's management API.
std::string management_root_cn(const PebbleEnv& pebble, int index) {
  const auto url = pebble.management_url();
  httplib::Client client(url);
  client.set_ca_cert_path(pebble.ca_bundle().string());
  const auto res = client.Get("/roots/" + std::to_string(index));
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return parse_certificate(res->body).common_name;
}

}  // namespace

TEST_CASE("a proxy's own listener answers HTTP-01 through Http01Handler") {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  PebbleEnv pebble(options);
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  ProxyListener listener(handler, pebble.http_port());
  auto config = config_for(pebble, dir / "acme.json");
  config.solvers = {handler};
  CertManager manager(config);
  const auto issued = manager.obtain({"proxy.example.test", "www.proxy.example.test"});
  CHECK(issued.record.main == "proxy.example.test");
  CHECK(issued.record.sans == std::vector<std::string>{"www.proxy.example.test"});
  CHECK(issued.info.dns_names.size() == 2);
  // Every token was withdrawn after validation.
  CHECK_FALSE(handler->response("/.well-known/acme-challenge/anything").has_value());
  const auto stored = AcmeJsonStore((dir / "acme.json").string()).certificates("proxy");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].certificate_pem == issued.record.certificate_pem);
}

TEST_CASE("an issuance with a stored account makes few requests") {
  PebbleOptions options;
  options.nonce_reject_percent = 0;
  options.authz_reuse_percent = 0;
  PebbleEnv pebble(options);
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  ProxyListener listener(handler, pebble.http_port());
  auto config = config_for(pebble, dir / "acme.json");
  config.solvers = {handler};
  {
    CertManager first(config);
    first.ensure_account();
  }
  config.store = std::make_shared<AcmeJsonStore>((dir / "acme.json").string());
  CertManager manager(config);
  manager.obtain({"count.example.test"});
  // Fixed: directory, newNonce, newOrder, authz, challenge, finalize, certificate (7). Then polls:
  // the authorization until Pebble's validation is done (usually 1-3 with the 50 ms start), the
  // order while Pebble says "processing" (usually 1). No account lookup, no order fetch before
  // finalize.
  const auto stats = manager.request_stats();
  MESSAGE("requests for one name with a stored account: " << stats.requests);
  CHECK(stats.requests <= 12);
  CHECK(stats.bad_nonce_retries == 0);
}

TEST_CASE("rejected nonces are retried with fresh ones") {
  PebbleOptions options;
  options.nonce_reject_percent = 50;
  PebbleEnv pebble(options);
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  ProxyListener listener(handler, pebble.http_port());
  auto config = config_for(pebble, dir / "acme.json");
  config.solvers = {handler};
  CertManager manager(config);
  manager.obtain({"nonce-a.example.test"});
  manager.obtain({"nonce-b.example.test"});
  // About 20 signed requests at 50 %: the chance that none was rejected is below one in a million.
  CHECK(manager.request_stats().bad_nonce_retries > 0);
  CHECK(AcmeJsonStore((dir / "acme.json").string()).certificates("proxy").size() == 2);
}

TEST_CASE("preferred chain picks the alternate whose top is issued by the named root") {
  PebbleOptions options;
  options.extra_env = {{"PEBBLE_ALTERNATE_ROOTS", "1"}};
  PebbleEnv pebble(options);
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  ProxyListener listener(handler, pebble.http_port());
  const std::string default_root = management_root_cn(pebble, 0);
  const std::string alternate_root = management_root_cn(pebble, 1);
  REQUIRE(default_root != alternate_root);

  auto config = config_for(pebble, dir / "acme.json");
  config.solvers = {handler};
  config.preferred_chain = alternate_root;
  CertManager manager(config);
  const auto chain =
      parse_certificate_chain(manager.obtain({"chain.example.test"}).record.certificate_pem);
  REQUIRE(chain.size() >= 2);
  CHECK(chain.back().issuer_common_name == alternate_root);

  config.preferred_chain = "No Such Root";
  config.store = std::make_shared<AcmeJsonStore>((dir / "acme.json").string());
  CertManager fallback(config);
  const auto default_chain =
      parse_certificate_chain(fallback.obtain({"chain2.example.test"}).record.certificate_pem);
  CHECK(default_chain.back().issuer_common_name == default_root);
}
