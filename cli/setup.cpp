#include "setup.hpp"

#include <iostream>
#include <mutex>

#include "acmecpp/error.hpp"

namespace acmectl {

std::shared_ptr<acmecpp::AcmeJsonStore> open_store(const GlobalOptions& options) {
  return std::make_shared<acmecpp::AcmeJsonStore>(options.store_path);
}

std::string choose_resolver(const GlobalOptions& options, const acmecpp::Store& store) {
  if (!options.resolver.empty()) return options.resolver;
  const auto resolvers = store.resolvers();
  return resolvers.size() == 1 ? resolvers.front() : std::string("letsencrypt");
}

acmecpp::ManagerConfig manager_config(const GlobalOptions& options,
                                      std::shared_ptr<acmecpp::Store> store) {
  acmecpp::ManagerConfig config;
  if (!options.server.empty() && options.staging) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "--server and --staging exclude each other");
  }
  config.acme.directory_url = !options.server.empty() ? options.server
                              : options.staging       ? acmecpp::acme::kLetsEncryptStaging
                                                      : acmecpp::acme::kLetsEncryptProduction;
  config.acme.ca_bundle = options.ca_bundle;
  config.email = options.email;
  config.agree_tos = options.agree_tos;
  if (options.eab_kid.empty() != options.eab_hmac_key.empty()) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "--eab-kid and --eab-hmac-key must be given together");
  }
  if (!options.eab_kid.empty()) {
    config.eab = acmecpp::acme::ExternalAccountBinding{options.eab_kid, options.eab_hmac_key};
  }
  config.key_type = acmecpp::parse_key_type(options.key_type);
  config.account_key_type = acmecpp::parse_key_type(options.account_key_type);
  config.resolver = choose_resolver(options, *store);
  config.store = std::move(store);
  config.log = stderr_log_sink(options);
  return config;
}

acmecpp::LogSink stderr_log_sink(const GlobalOptions& options) {
  const auto threshold = options.verbose ? acmecpp::LogLevel::debug
                         : options.quiet ? acmecpp::LogLevel::error
                                         : acmecpp::LogLevel::info;
  return [threshold](acmecpp::LogLevel level, std::string_view message) {
    if (level < threshold) return;
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    std::cerr << "acmectl: " << acmecpp::to_string(level) << ": " << message << '\n';
  };
}

}  // namespace acmectl
