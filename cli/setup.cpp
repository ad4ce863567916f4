// SPDX-License-Identifier: Apache-2.0
#include "setup.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"
#include "acmecpp/printable.hpp"
#include "acmecpp/redis_store.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "dns_setup.hpp"
#include "log_output.hpp"
#include "printed.hpp"

namespace acmectl {
namespace {

std::string default_resolver(const acmecpp::Store& store) {
  const auto resolvers = store.resolvers();
  return resolvers.size() == 1 ? resolvers.front() : std::string("letsencrypt");
}

}  // namespace

std::string server_url(const Settings& s) {
  if (!s.server.empty() && s.staging) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "--server and --staging exclude each other");
  }
  if (!s.server.empty()) return s.server;
  return s.staging ? acmecpp::acme::kLetsEncryptStaging : acmecpp::acme::kLetsEncryptProduction;
}

namespace {

std::optional<acmecpp::acme::ExternalAccountBinding> eab(const Settings& s) {
  if (s.eab_kid.empty() != s.eab_hmac_key.empty()) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "--eab-kid and --eab-hmac-key must be given together");
  }
  if (s.eab_kid.empty()) return std::nullopt;
  return acmecpp::acme::ExternalAccountBinding{s.eab_kid, s.eab_hmac_key};
}

std::string default_challenge(const Settings& s) {
  return s.challenge.empty() ? "http-01" : s.challenge;
}

std::shared_ptr<acmecpp::Solver> make_solver(const std::string& type, const Settings& s,
                                             const acmecpp::LogSink& log) {
  if (type == "http-01") {
    if (!s.webroot.empty()) return std::make_shared<acmecpp::Http01WebrootSolver>(s.webroot);
    return std::make_shared<acmecpp::Http01StandaloneSolver>(s.http_address, s.http_port);
  }
  if (type == "tls-alpn-01") {
    return std::make_shared<acmecpp::TlsAlpn01StandaloneSolver>(s.tls_address, s.tls_port);
  }
  if (type == "dns-01") return make_dns01_solver(s, log);
  throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                       "unknown challenge \"" + type + "\" (http-01, tls-alpn-01, dns-01)");
}

/// "NAME=TYPE" entries of --challenge-for.
std::map<std::string, std::string> challenge_for_name(const Settings& s) {
  std::map<std::string, std::string> per_name;
  for (const auto& entry : s.challenge_for) {
    const auto eq = entry.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size()) {
      throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                           "--challenge-for \"" + entry + "\" is not NAME=TYPE");
    }
    per_name[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return per_name;
}

/// A solver for the default challenge and for every type named per name; the default first.
void add_solvers(acmecpp::ManagerConfig& config, const Settings& s) {
  config.challenge_for_name = challenge_for_name(s);
  std::vector<std::string> types{default_challenge(s)};
  for (const auto& [name, type] : config.challenge_for_name) {
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
  }
  for (const auto& type : types) config.solvers.push_back(make_solver(type, s, config.log));
  // The default challenge wins wherever the server offers it.
  auto& preference = config.challenge_preference;
  preference.erase(std::remove(preference.begin(), preference.end(), types.front()),
                   preference.end());
  preference.insert(preference.begin(), types.front());
}

/// The store's lock waits: announced on stderr (unless --quiet), bounded by --lock-timeout.
acmecpp::AcmeJsonStoreOptions store_lock_options(const Settings& s, acmecpp::StopToken stop) {
  acmecpp::AcmeJsonStoreOptions options;
  options.lock_timeout = parse_lock_timeout(s.lock_timeout);
  options.stop = std::move(stop);
  if (!s.quiet) {
    options.on_lock_wait = [text = s.lock_timeout](const acmecpp::StoreLockWait& wait) {
      const std::string holder =
          wait.holder_pid ? " (held by process " + std::to_string(*wait.holder_pid) + ")" : "";
      log_info("waiting for the lock " + wait.lock_path + holder + ", at most " + text +
               " (--lock-timeout)");
    };
  }
  return options;
}

}  // namespace

std::shared_ptr<acmecpp::Store> open_store(const Settings& settings, acmecpp::StopToken stop) {
  return open_store_at(settings.store_path, store_lock_options(settings, std::move(stop)));
}

std::shared_ptr<acmecpp::Store> open_store_at(const std::string& place,
                                              acmecpp::AcmeJsonStoreOptions file_options) {
  return acmecpp::open_store(place, std::move(file_options), kRedisPasswordVariable);
}

std::string printable_store(const std::string& place) {
  if (!acmecpp::is_redis_url(place)) return place;
  try {
    return acmecpp::parse_redis_url(place).printable_url();
  } catch (const acmecpp::Error&) {
    return "a Redis URL that does not parse";
  }
}

void require_existing_store(const Settings& settings) {
  if (acmecpp::is_redis_url(settings.store_path)) return;
  struct stat info {};
  if (::stat(settings.store_path.c_str(), &info) == 0) return;
  if (errno != ENOENT) return;  // opening it says what is wrong
  throw acmecpp::Error(acmecpp::ErrorKind::storage,
                       "the store " + settings.store_path +
                           " does not exist (check --store; issue and register create it)");
}

Context open_context(const SettingsSource& source) {
  return open_context(source, source.named_resolver());
}

Context open_context(const SettingsSource& source, const std::string& named,
                     acmecpp::StopToken stop) {
  const Settings early = source.resolve();
  auto store = open_store(early, stop);
  const std::string resolver = named.empty() ? default_resolver(*store) : named;
  return Context{source.resolve(resolver), std::move(store), resolver, std::move(stop)};
}

void bind_resolver_server(const Context& context) {
  const std::string server = server_url(context.settings);
  // A URL that is not https:// is refused by the client with its own error, before any request.
  if (server.rfind("https://", 0) != 0) return;
  const std::string recorded = context.store->load_server(context.resolver);
  if (recorded.empty()) {
    context.store->save_server(context.resolver, server);  // acme.json: with its next write
    return;
  }
  if (recorded == server) return;
  throw acmecpp::Error(acmecpp::ErrorKind::config,
                       "the resolver \"" + acmecpp::printable_text(context.resolver) +
                           "\" of the store belongs to the server " +
                           acmecpp::printable_text(recorded) + ", not " +
                           acmecpp::printable_text(server) +
                           ": pick another --resolver for this server (or use that server)");
}

Context open_ca_context(const SettingsSource& source) {
  auto context = open_context(source);
  bind_resolver_server(context);
  return context;
}

acmecpp::ManagerConfig manager_config(const Context& context, bool with_solvers) {
  const Settings& s = context.settings;
  acmecpp::ManagerConfig config;
  config.acme.directory_url = server_url(s);
  config.acme.ca_bundle = s.ca_bundle;
  config.acme.request_timeout = parse_request_timeout(s.request_timeout);
  config.acme.poll_timeout = parse_poll_timeout(s.poll_timeout);
  config.acme.stop = context.stop;
  config.email = s.email;
  config.agree_tos = s.agree_tos;
  config.eab = eab(s);
  config.key_type = acmecpp::parse_key_type(s.key_type);
  config.account_key_type = acmecpp::parse_key_type(s.account_key_type);
  config.resolver = context.resolver;
  config.store = context.store;
  config.preferred_chain = s.preferred_chain;
  config.profile = s.profile;
  config.log = stderr_log_sink(s);
  if (with_solvers) add_solvers(config, s);
  return config;
}

void use_challenge(acmecpp::ManagedCertificate& certificate, Settings settings,
                   const std::string& challenge) {
  settings.challenge = challenge;
  acmecpp::ManagerConfig own;
  own.log = stderr_log_sink(settings);
  add_solvers(own, settings);
  certificate.solvers = own.solvers;
  for (const auto& name : certificate.names) certificate.challenge_for_name[name] = challenge;
  for (const auto& [name, type] : own.challenge_for_name) {
    certificate.challenge_for_name[name] = type;
  }
}

unsigned order_concurrency(const Settings& settings) {
  if (settings.concurrency < 1 || settings.concurrency > kMaxConcurrency) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "--concurrency " + std::to_string(settings.concurrency) +
                             " is out of range (1 to " + std::to_string(kMaxConcurrency) + ")");
  }
  return settings.concurrency;
}

acmecpp::LogSink stderr_log_sink(const Settings& settings) {
  const auto threshold = settings.verbose ? acmecpp::LogLevel::debug
                         : settings.quiet ? acmecpp::LogLevel::error
                                          : acmecpp::LogLevel::info;
  nlohmann::json fields = nlohmann::json::object();
  if (!settings.resolver.empty()) fields["resolver"] = settings.resolver;
  return [threshold, fields](acmecpp::LogLevel level, std::string_view message) {
    if (level >= threshold) log_to_stderr(level, message, fields);
  };
}

}  // namespace acmectl
