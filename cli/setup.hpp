// SPDX-License-Identifier: Apache-2.0
#pragma once
// Turns acmectl's settings into the library's configuration objects.

#include <chrono>
#include <memory>
#include <string>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/store.hpp"
#include "settings.hpp"
#include "settings_source.hpp"

namespace acmectl {

/// What a command works with: the resolved settings, the store, the resolver's name.
struct Context {
  Settings settings;
  std::shared_ptr<acmecpp::Store> store;
  std::string resolver;
  acmecpp::StopToken stop;  ///< cancels the managers' work (run: SIGTERM); default: never
};

/// The store the settings name (--store: an acme.json path or a Redis URL). The one place acmectl
/// decides what kind of store it works with; everything else sees a Store. A wait for another
/// process's lock of an acme.json is announced on stderr at once and lasts at most
/// --lock-timeout (then Error(busy)); `stop` ends it too (Error(cancelled)).
std::shared_ptr<acmecpp::Store> open_store(const Settings& settings, acmecpp::StopToken stop = {});
/// The store at `place`: a redis:// or redis+unix:// URL (RedisStore; its password, when the
/// URL has none, from the environment variable kRedisPasswordVariable), else an acme.json path
/// opened with `file_options`. A Redis store is pinged: one that cannot be reached throws
/// Error(storage) here.
std::shared_ptr<acmecpp::Store> open_store_at(const std::string& place,
                                              acmecpp::AcmeJsonStoreOptions file_options = {});
/// `place` as messages may name it: a Redis URL with its password masked.
std::string printable_store(const std::string& place);
/// Where acmectl reads the Redis password from when the store's URL has none.
inline constexpr const char* kRedisPasswordVariable = "ACMECPP_REDIS_PASSWORD";

/// Error(storage) when the acme.json the settings name does not exist: commands that only read
/// or renew what is stored (list, renew, export) refuse a mistyped --store instead of finding
/// nothing in it. (A Redis store is checked by reaching it.)
void require_existing_store(const Settings& settings);

/// Opens the store and settles the resolver: --resolver or the config file's, else the store's
/// only resolver, else "letsencrypt"; then the settings for that resolver.
Context open_context(const SettingsSource& source);
/// The same for a resolver named by the caller (empty: as above); `stop` ends the store's lock
/// waits and becomes Context::stop.
Context open_context(const SettingsSource& source, const std::string& resolver,
                     acmecpp::StopToken stop = {});

/// The ACME directory URL the settings name: --server, else Let's Encrypt's staging (--staging)
/// or production directory. Error(invalid_input) for --server with --staging.
std::string server_url(const Settings& settings);

/// Ties the context's resolver section to the server the settings name, before anything is asked
/// of a CA: a section without a recorded server (new, older, or written by Traefik, whose server
/// is in Traefik's static configuration only) records this one; a section recorded with another
/// throws Error(config) naming both URLs. Every command that talks to the CA with the real store
/// calls it (a dry run does not: it works in memory).
void bind_resolver_server(const Context& context);

/// open_context() followed by bind_resolver_server(): for commands that talk to the CA.
Context open_ca_context(const SettingsSource& source);

/// The manager configuration every command shares, with the solvers the settings ask for
/// (commands that never order leave them out, so that challenge settings need not be complete).
acmecpp::ManagerConfig manager_config(const Context& context, bool with_solvers = true);

/// Gives a managed certificate whose challenge differs from its resolver's (`challenge:` of an
/// entry in the configuration's certificates) solvers of its own, and that type for each of its
/// names that --challenge-for does not give another.
void use_challenge(acmecpp::ManagedCertificate& certificate, Settings settings,
                   const std::string& challenge);

/// Most orders a batch keeps in flight. Let's Encrypt throttles bursts per client (about 20
/// requests a second on most endpoints) and counts new orders per account (300 in 3 hours);
/// an order is a handful of requests spread over its validation, so 16 at once stays clear of
/// the burst limit while still hiding the waiting.
constexpr unsigned kMaxConcurrency = 16;

/// --concurrency, checked to be 1..kMaxConcurrency (Error(invalid_input) otherwise).
unsigned order_concurrency(const Settings& settings);

/// A log sink writing "acmectl: level: message" lines to stderr, filtered by -v/-q.
acmecpp::LogSink stderr_log_sink(const Settings& settings);

}  // namespace acmectl
