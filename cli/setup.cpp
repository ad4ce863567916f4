#include "setup.hpp"

#include <iostream>
#include <mutex>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"

namespace acmectl {
namespace {

std::string default_resolver(const acmecpp::Store& store) {
  const auto resolvers = store.resolvers();
  return resolvers.size() == 1 ? resolvers.front() : std::string("letsencrypt");
}

std::string directory_url(const Settings& s) {
  if (!s.server.empty() && s.staging) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "--server and --staging exclude each other");
  }
  if (!s.server.empty()) return s.server;
  return s.staging ? acmecpp::acme::kLetsEncryptStaging : acmecpp::acme::kLetsEncryptProduction;
}

std::optional<acmecpp::acme::ExternalAccountBinding> eab(const Settings& s) {
  if (s.eab_kid.empty() != s.eab_hmac_key.empty()) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "--eab-kid and --eab-hmac-key must be given together");
  }
  if (s.eab_kid.empty()) return std::nullopt;
  return acmecpp::acme::ExternalAccountBinding{s.eab_kid, s.eab_hmac_key};
}

std::shared_ptr<acmecpp::Solver> make_solver(const Settings& s) {
  const std::string type = s.challenge.empty() ? "http-01" : s.challenge;
  if (type == "http-01") {
    if (!s.webroot.empty()) return std::make_shared<acmecpp::Http01WebrootSolver>(s.webroot);
    return std::make_shared<acmecpp::Http01StandaloneSolver>(s.http_address, s.http_port);
  }
  throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                       "unknown challenge \"" + type + "\" (http-01)");
}

}  // namespace

Context open_context(const SettingsSource& source) {
  const Settings early = source.resolve();
  auto store = std::make_shared<acmecpp::AcmeJsonStore>(early.store_path);
  std::string resolver = source.named_resolver();
  if (resolver.empty()) resolver = default_resolver(*store);
  return Context{source.resolve(resolver), std::move(store), resolver};
}

acmecpp::ManagerConfig manager_config(const Context& context) {
  const Settings& s = context.settings;
  acmecpp::ManagerConfig config;
  config.acme.directory_url = directory_url(s);
  config.acme.ca_bundle = s.ca_bundle;
  config.email = s.email;
  config.agree_tos = s.agree_tos;
  config.eab = eab(s);
  config.key_type = acmecpp::parse_key_type(s.key_type);
  config.account_key_type = acmecpp::parse_key_type(s.account_key_type);
  config.resolver = context.resolver;
  config.store = context.store;
  config.preferred_chain = s.preferred_chain;
  config.solvers.push_back(make_solver(s));
  config.log = stderr_log_sink(s);
  return config;
}

acmecpp::LogSink stderr_log_sink(const Settings& settings) {
  const auto threshold = settings.verbose ? acmecpp::LogLevel::debug
                         : settings.quiet ? acmecpp::LogLevel::error
                                          : acmecpp::LogLevel::info;
  return [threshold](acmecpp::LogLevel level, std::string_view message) {
    if (level < threshold) return;
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    std::cerr << "acmectl: " << acmecpp::to_string(level) << ": " << message << '\n';
  };
}

}  // namespace acmectl
