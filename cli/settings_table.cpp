// SPDX-License-Identifier: Apache-2.0
#include "settings.hpp"

#include <cctype>
#include <string_view>
#include <utility>

#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "acmecpp/printable.hpp"
#include "tools/log_line.hpp"

namespace acmectl {

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> specs = {
      {"server", "CA", "ACME directory URL (default: Let's Encrypt production)", &Settings::server},
      {"staging", "CA", "use Let's Encrypt's staging directory", &Settings::staging},
      {"ca-bundle", "CA", "PEM file of CAs trusted for the ACME server", &Settings::ca_bundle},
      {"email", "CA", "contact e-mail for the account", &Settings::email},
      {"agree-tos", "CA", "agree to the CA's terms of service", &Settings::agree_tos},
      {"eab-kid", "CA", "External Account Binding key identifier", &Settings::eab_kid},
      {"eab-hmac-key", "CA", "External Account Binding MAC key (base64url)",
       &Settings::eab_hmac_key},
      {"account-key-type", "CA", "key type of a new account (rsa4096 is what Traefik can read)",
       &Settings::account_key_type},
      {"request-timeout", "CA",
       "longest wait for one answer of the CA, connection included, e.g. 30s, 2m",
       &Settings::request_timeout},
      {"store", "Store",
       "acme.json file (Traefik's format), or redis://[user@]host[:port][/db][?prefix=P] or "
       "redis+unix:///socket (password: ACMECPP_REDIS_PASSWORD)",
       &Settings::store_path},
      {"resolver", "Store",
       "resolver section of the store (default: the only one, else letsencrypt)",
       &Settings::resolver},
      {"lock-timeout", "Store",
       "longest wait for another process's lock of the store, e.g. 30s, 5m, 1h (then exit 15)",
       &Settings::lock_timeout},
      {"key-type", "Certificates", "certificate key: ec256|ec384|rsa2048|rsa3072|rsa4096",
       &Settings::key_type},
      {"poll-timeout", "Certificates",
       "longest wait for the CA to finish an order, e.g. 3m, 30m (then exit 14; the order is "
       "kept and the next run resumes it)",
       &Settings::poll_timeout},
      {"preferred-chain", "Certificates",
       "keep the chain whose top certificate's issuer has this common name",
       &Settings::preferred_chain},
      {"profile", "Certificates", "certificate profile for new orders (the CA must list it)",
       &Settings::profile},
      {"concurrency", "Certificates", "orders in flight at once for issue --batch and renew (1-16)",
       &Settings::concurrency},
      {"challenge", "Challenges", "http-01 (default), tls-alpn-01 or dns-01", &Settings::challenge},
      {"http-address", "Challenges", "address the HTTP-01 server binds", &Settings::http_address},
      {"http-port", "Challenges", "port of the standalone HTTP-01 server", &Settings::http_port},
      {"webroot", "Challenges", "write HTTP-01 tokens under DIR/.well-known/acme-challenge/",
       &Settings::webroot},
      {"tls-address", "Challenges", "address the TLS-ALPN-01 server binds", &Settings::tls_address},
      {"tls-port", "Challenges", "port of the standalone TLS-ALPN-01 server", &Settings::tls_port},
      {"challenge-for", "Challenges", "NAME=TYPE: another challenge for one name (repeatable)",
       &Settings::challenge_for},
      {"dns", "DNS-01", "DNS provider: rfc2136, exec, cloudflare, challtestsrv",
       &Settings::dns_provider},
      {"dns-option", "DNS-01", "KEY=VALUE provider setting, wins over the environment (repeatable)",
       &Settings::dns_options},
      {"dns-resolvers", "DNS-01", "resolvers for finding the zone, host[:port] (default: system)",
       &Settings::dns_resolvers},
      {"dns-authoritative", "DNS-01", "check these host:port servers instead of the zone's NS set",
       &Settings::dns_authoritative},
      {"dns-authoritative-port", "DNS-01", "port the zone's nameservers are asked on",
       &Settings::dns_authoritative_port},
      {"dns-propagation-timeout", "DNS-01", "seconds to wait for the TXT records to be visible",
       &Settings::dns_propagation_timeout},
      {"dns-skip-check", "DNS-01", "answer DNS-01 challenges without checking propagation",
       &Settings::dns_skip_check},
      {"deploy-hook", "Hooks", "shell line run after a certificate was issued or renewed",
       &Settings::deploy_hook},
      {"failure-hook", "Hooks", "shell line run after an issuance or renewal failed",
       &Settings::failure_hook},
      {"hook-timeout", "Hooks", "seconds a hook may run before it is killed",
       &Settings::hook_timeout},
      {"export-dir", "Hooks", "also write PEM files there after issue and renew (see export)",
       &Settings::export_dir},
      {"export-format", "Hooks",
       "pem (cert, chain, fullchain, privkey), haproxy (one file) or traefik (pem + "
       "traefik-tls.yml)",
       &Settings::export_format},
      {"metrics-listen", "Run",
       "run: serve Prometheus metrics on http://HOST:PORT/metrics, e.g. 127.0.0.1:9464",
       &Settings::metrics_listen},
      {"verbose", "Logging", "log every step", &Settings::verbose, false},
      {"quiet", "Logging", "log errors only", &Settings::quiet, false},
      {"log-format", "Logging",
       "stderr lines as text (timestamp, level, message) or json (one object a line)",
       &Settings::log_format},
  };
  return specs;
}

std::chrono::milliseconds parse_lock_timeout(const std::string& text) {
  return parse_duration_option("--lock-timeout", text);
}

std::chrono::milliseconds parse_request_timeout(const std::string& text) {
  const auto timeout = parse_duration_option("--request-timeout", text);
  if (timeout.count() <= 0) {
    throw acmecpp::Error(
        acmecpp::ErrorKind::invalid_input,
        "--request-timeout \"" + acmecpp::printable_text(text) + "\" must be longer than zero");
  }
  return timeout;
}

std::chrono::milliseconds parse_poll_timeout(const std::string& text) {
  const auto timeout = parse_duration_option("--poll-timeout", text);
  if (timeout.count() == 0) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "--poll-timeout must be longer than 0 (e.g. 3m)");
  }
  return timeout;
}

std::chrono::milliseconds parse_duration_option(const std::string& option,
                                                const std::string& text) {
  static constexpr std::pair<std::string_view, long long> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"", 1000}};
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  const std::string_view unit = std::string_view(text).substr(digits);
  for (const auto& [name, milliseconds] : kUnits) {
    if (digits == 0 || digits > 9 || unit != name) continue;
    return std::chrono::milliseconds(std::stoll(text.substr(0, digits)) * milliseconds);
  }
  throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                       option + " \"" + acmecpp::printable_text(text) +
                           "\" is not a duration such as 90, 30s, 5m or 1h");
}

void check_setting_value(const std::string& name, const std::string& value) {
  if (name == "key-type" || name == "account-key-type") {
    acmecpp::parse_key_type(value);
  } else if (name == "challenge" && !value.empty() && value != "http-01" &&
             value != "tls-alpn-01" && value != "dns-01") {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "unknown challenge \"" + value + "\" (http-01, tls-alpn-01, dns-01)");
  } else if (name == "lock-timeout") {
    parse_lock_timeout(value);
  } else if (name == "request-timeout") {
    parse_request_timeout(value);
  } else if (name == "log-format") {
    acmecpp::parse_log_format(value);
  } else if (name == "poll-timeout") {
    parse_poll_timeout(value);
  }
}

}  // namespace acmectl
