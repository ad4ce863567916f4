// SPDX-License-Identifier: Apache-2.0
#pragma once
// Everything acmectl can be told about a resolver, from flags or the configuration file. Each
// setting is described once (settings_table.cpp): its flag, its config key, its help text.

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace acmectl {

struct Settings {
  // The CA and the account.
  std::string server;  ///< directory URL; empty: Let's Encrypt production (or staging)
  bool staging = false;
  std::string ca_bundle;
  std::string email;
  bool agree_tos = false;
  std::string eab_kid;
  std::string eab_hmac_key;
  std::string account_key_type = "rsa4096";
  std::string request_timeout = "60s";  ///< longest single request to the CA, all included
  // The store.
  std::string store_path = "./acme.json";
  std::string resolver;             ///< empty: the store's only resolver, else "letsencrypt"
  std::string lock_timeout = "5m";  ///< longest wait for another process's lock of the store
  // Certificates.
  std::string key_type = "ec256";
  std::string poll_timeout = "3m";  ///< how long an order or authorization is polled at most
  std::string preferred_chain;
  std::string profile;            ///< certificate profile for new orders, when the CA lists it
  std::uint16_t concurrency = 4;  ///< orders in flight at once (issue --batch, renew)
  // Challenges.
  std::string challenge;  ///< http-01, tls-alpn-01 or dns-01; empty: http-01
  // "::": IPv6 and IPv4 at once (a CA validates over IPv6 first when a name has an AAAA record);
  // the library binds 0.0.0.0 instead where the machine has no IPv6.
  std::string http_address = "::";
  std::uint16_t http_port = 80;
  std::string webroot;
  std::string tls_address = "::";
  std::uint16_t tls_port = 443;
  std::vector<std::string> challenge_for;      ///< "NAME=TYPE", e.g. "*.example.com=dns-01"
  std::string dns_provider;                    ///< rfc2136, exec, cloudflare, challtestsrv
  std::vector<std::string> dns_options;        ///< "KEY=VALUE", winning over the environment
  std::vector<std::string> dns_resolvers;      ///< for the propagation check, "host[:port]"
  std::vector<std::string> dns_authoritative;  ///< ask these "host:port" instead of the NS set
  std::uint16_t dns_authoritative_port = 53;
  std::uint16_t dns_propagation_timeout = 120;  ///< seconds
  bool dns_skip_check = false;
  // After a certificate changes.
  std::string deploy_hook;          ///< shell line run after issue/renew
  std::string failure_hook;         ///< shell line run after a failed issue/renew
  std::uint16_t hook_timeout = 60;  ///< seconds
  std::string export_dir;           ///< export after issue/renew into this directory
  std::string export_format = "pem";
  // The daemon (run).
  std::string metrics_listen;  ///< "HOST:PORT" serving Prometheus metrics; empty: none
  // Logging.
  bool verbose = false;
  bool quiet = false;
  std::string log_format = "text";  ///< text or json: how stderr lines look (log_output.hpp)
};

using SettingMember = std::variant<std::string Settings::*, bool Settings::*,
                                   std::uint16_t Settings::*, std::vector<std::string> Settings::*>;

/// One setting: flag "--<name>", config key "<name>" (or with '_' for '-').
struct SettingSpec {
  const char* name;
  const char* group;
  const char* help;
  SettingMember member;
  bool config_allowed = true;  ///< false for flags that only make sense on a command line
};

/// Every setting, in the order --help shows them.
const std::vector<SettingSpec>& setting_specs();

/// A duration option's value: "300" (seconds), "30s", "5m", "1h" or "500ms"; otherwise
/// Error(invalid_input) naming `option` and the value.
std::chrono::milliseconds parse_duration_option(const std::string& option, const std::string& text);
/// --poll-timeout's value (parse_duration_option); zero is refused.
std::chrono::milliseconds parse_poll_timeout(const std::string& text);
/// --lock-timeout's value (parse_duration_option).
std::chrono::milliseconds parse_lock_timeout(const std::string& text);
/// --request-timeout's value: a duration above zero.
std::chrono::milliseconds parse_request_timeout(const std::string& text);

/// Error(invalid_input) when the value of the setting `name` is not one it can take (checked
/// where it is read, so that a configuration file's mistake is named with its line): key types,
/// the challenge, the lock timeout, the log format. Other settings are checked where they are used.
void check_setting_value(const std::string& name, const std::string& value);

}  // namespace acmectl
