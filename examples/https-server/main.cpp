// SPDX-License-Identifier: Apache-2.0
// A minimal HTTPS server that obtains its own certificates: TLS-ALPN-01 is answered on its HTTPS
// listener, HTTP-01 on its plain one, certificates are renewed in the background and swapped
// into the TLS layer without a restart. It answers "hello" on https://NAME/ for every managed
// name (and, with --on-demand SUFFIX, for names ending in SUFFIX, obtained at first handshake).
//
//   https-server --directory https://acme-v02.api.letsencrypt.org/directory --agree-tos
//                --store acme.json --https-port 443 --http-port 80 example.com www.example.com
//
// Several of them behind a load balancer share one Redis (--store redis://10.0.0.5/0?prefix=acme,
// the password in ACMECPP_REDIS_PASSWORD): each name is ordered once, by whichever node takes its
// lock first; the challenge proofs go to Redis, so whichever node the CA's validation reaches
// answers it; and every node serves what another stored, through Redis' change notices.

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>
#include <CLI/CLI.hpp>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"
#include "acmecpp/redis_store.hpp"
#include "acmecpp/shared_challenge_solver.hpp"
#include "acmecpp/tls_server.hpp"
#include "acmecpp/tlsalpn01.hpp"

namespace {

struct Options {
  std::string directory;
  std::string ca_bundle;
  std::string store = "acme.json";
  std::string email;
  bool agree_tos = false;
  std::string address = "0.0.0.0";
  std::uint16_t https_port = 443;
  std::uint16_t http_port = 80;
  int check_interval_seconds = 12 * 3600;
  int renewal_days = acmecpp::kAutomaticRenewalDays;
  std::string on_demand_suffix;
  std::string challenge;
  std::vector<std::string> names;
};

Options parse_options(int argc, char** argv) {
  Options options;
  CLI::App app{"HTTPS server that obtains and renews its own certificates (acmecpp example)"};
  app.add_option("--directory", options.directory, "ACME directory URL")->required();
  app.add_option("--ca-bundle", options.ca_bundle, "CA file trusted for the ACME server");
  app.add_option("--store", options.store,
                 "acme.json to keep account and certificates in, or a Redis URL shared by nodes");
  app.add_option("--email", options.email, "account contact");
  app.add_flag("--agree-tos", options.agree_tos, "agree to the CA's terms of service");
  app.add_option("--address", options.address, "address both listeners bind");
  app.add_option("--https-port", options.https_port, "HTTPS and TLS-ALPN-01 port");
  app.add_option("--http-port", options.http_port, "HTTP-01 port");
  app.add_option("--check-interval", options.check_interval_seconds,
                 "seconds between renewal checks");
  app.add_option("--renewal-days", options.renewal_days,
                 "renew when fewer days remain (default: 30, at most a third of the lifetime)");
  app.add_option("--on-demand", options.on_demand_suffix,
                 "obtain certificates at first handshake for names ending in this suffix");
  app.add_option("--challenge", options.challenge,
                 "the one challenge type to use: tls-alpn-01 or http-01 (default: both, "
                 "TLS-ALPN-01 preferred)");
  app.add_option("names", options.names, "names to serve (one certificate each)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::exit(app.exit(error));
  }
  return options;
}

bool has_suffix(std::string_view name, std::string_view suffix) {
  return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

acmecpp::ManagerConfig manager_config(const Options& options, std::shared_ptr<acmecpp::Store> store,
                                      std::vector<std::shared_ptr<acmecpp::Solver>> solvers) {
  acmecpp::ManagerConfig config;
  config.acme.directory_url = options.directory;
  config.acme.ca_bundle = options.ca_bundle;
  config.email = options.email;
  config.agree_tos = options.agree_tos;
  config.store = std::move(store);
  config.solvers = std::move(solvers);
  if (!options.challenge.empty()) config.challenge_preference = {options.challenge};
  config.check_interval = std::chrono::seconds(options.check_interval_seconds);
  config.renewal_days = options.renewal_days;
  config.log = [](acmecpp::LogLevel level, std::string_view message) {
    std::clog << acmecpp::to_string(level) << ": " << message << std::endl;
  };
  config.on_event = [](const acmecpp::CertificateEvent& event) {
    std::clog << "event: " << acmecpp::to_string(event.type) << ' ' << event.names.front()
              << std::endl;
  };
  if (!options.on_demand_suffix.empty()) {
    const auto suffix = options.on_demand_suffix;
    config.on_demand.allow = [suffix](std::string_view name) { return has_suffix(name, suffix); };
    config.on_demand.wait = std::chrono::seconds(10);
  }
  return config;
}

/// Blocks SIGINT and SIGTERM in every thread and returns when one of them arrives.
void wait_for_stop_signal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
}

void block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse_options(argc, argv);
  block_stop_signals();  // before any thread starts, so that only sigwait sees them

  auto tls_alpn = std::make_shared<acmecpp::TlsAlpn01Responder>();
  auto http01 = std::make_shared<acmecpp::Http01Handler>();
  auto store = acmecpp::open_store(options.store);
  std::vector<std::shared_ptr<acmecpp::Solver>> solvers{tls_alpn, http01};
  if (auto shared = store->shared_challenges()) {
    // Behind a load balancer: proofs go to the shared table, and both listeners answer from it.
    solvers = {std::make_shared<acmecpp::SharedChallengeSolver>(shared, "tls-alpn-01"),
               std::make_shared<acmecpp::SharedChallengeSolver>(shared, "http-01")};
    tls_alpn->answer_from(shared);
    http01->answer_from(shared);
  }
  acmecpp::CertManager manager(manager_config(options, std::move(store), std::move(solvers)));
  for (const auto& name : options.names) manager.manage({name});

  httplib::SSLServer https([&](SSL_CTX& context) {
    acmecpp::TlsServerOptions tls;
    tls.certificates = manager.certificates();
    tls.challenges = tls_alpn;
    tls.on_unknown_name = [&manager](std::string_view name) {
      return manager.certificate_for(name);
    };
    acmecpp::install_tls_server(&context, tls);
    return true;
  });
  https.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("hello\n", "text/plain");
  });

  httplib::Server http;
  http.Get(R"(/\.well-known/acme-challenge/.*)",
           [&](const httplib::Request& request, httplib::Response& response) {
             if (auto body = http01->response(request.path)) {
               response.set_content(*body, "application/octet-stream");
             } else {
               response.status = 404;
             }
           });

  if (!https.bind_to_port(options.address.c_str(), options.https_port) ||
      !http.bind_to_port(options.address.c_str(), options.http_port)) {
    std::cerr << "https-server: cannot listen on " << options.address << " ports "
              << options.https_port << " and " << options.http_port << std::endl;
    return 1;
  }
  std::thread https_thread([&] { https.listen_after_bind(); });
  std::thread http_thread([&] { http.listen_after_bind(); });
  manager.start();
  std::clog << "listening on " << options.address << ':' << options.https_port << " and "
            << options.http_port << std::endl;

  wait_for_stop_signal();
  manager.stop();
  https.stop();
  http.stop();
  https_thread.join();
  http_thread.join();
  return 0;
} catch (const acmecpp::Error& error) {
  std::cerr << "https-server: " << error.what() << std::endl;
  return 1;
}
