// SPDX-License-Identifier: Apache-2.0
#include "dns_setup.hpp"

#include <cstdlib>
#include <functional>
#include <map>
#include <optional>

#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"

namespace acmectl {
namespace {

/// Provider settings: --dns-option KEY=VALUE first, then the environment.
class ProviderSettings {
 public:
  ProviderSettings(const std::string& provider, const std::vector<std::string>& options)
      : provider_(provider) {
    for (const auto& option : options) {
      const auto eq = option.find('=');
      if (eq == std::string::npos || eq == 0) {
        throw acmecpp::Error(
            acmecpp::ErrorKind::invalid_input,
            "--dns-option \"" + option.substr(0, option.find('=')) + "\" is not KEY=VALUE");
      }
      given_[option.substr(0, eq)] = option.substr(eq + 1);
    }
  }

  std::optional<std::string> get(const std::string& key) const {
    if (const auto it = given_.find(key); it != given_.end()) return it->second;
    if (const char* value = std::getenv(key.c_str()); value && *value) return std::string(value);
    return std::nullopt;
  }

  /// The first of `keys` that is set (lego accepts several spellings for some settings).
  std::string required(const std::vector<std::string>& keys) const {
    for (const auto& key : keys) {
      if (auto value = get(key)) return *value;
    }
    throw acmecpp::Error(
        acmecpp::ErrorKind::config,
        "DNS provider " + provider_ + " needs " + keys.front() + " (--dns-option or environment)");
  }

  std::optional<std::chrono::seconds> seconds(const std::string& key) const {
    const auto value = get(key);
    if (!value) return std::nullopt;
    char* end = nullptr;
    const long n = std::strtol(value->c_str(), &end, 10);
    if (value->empty() || *end != '\0' || n <= 0) {
      throw acmecpp::Error(acmecpp::ErrorKind::config,
                           key + " must be a number of seconds, got \"" + *value + "\"");
    }
    return std::chrono::seconds(n);
  }

 private:
  std::string provider_;
  std::map<std::string, std::string> given_;
};

std::shared_ptr<acmecpp::DnsProvider> rfc2136(const ProviderSettings& s) {
  acmecpp::Rfc2136Options o;
  o.nameserver = s.required({"RFC2136_NAMESERVER"});
  o.tsig_key_name = s.get("RFC2136_TSIG_KEY").value_or("");
  o.tsig_secret = s.get("RFC2136_TSIG_SECRET").value_or("");
  if (auto algorithm = s.get("RFC2136_TSIG_ALGORITHM")) {
    // lego writes the algorithm as a DNS name, "hmac-sha256.".
    if (!algorithm->empty() && algorithm->back() == '.') algorithm->pop_back();
    o.tsig_algorithm = *algorithm;
  }
  if (auto ttl = s.seconds("RFC2136_TTL")) o.ttl = *ttl;
  if (auto zone = s.get("RFC2136_ZONE")) o.zone = *zone;
  return acmecpp::make_rfc2136_provider(o);
}

std::shared_ptr<acmecpp::DnsProvider> exec(const ProviderSettings& s) {
  acmecpp::ExecProviderOptions o;
  o.program = s.required({"EXEC_PATH"});
  if (auto timeout = s.seconds("EXEC_TIMEOUT")) o.timeout = *timeout;
  o.propagation_timeout = s.seconds("EXEC_PROPAGATION_TIMEOUT");
  return acmecpp::make_exec_provider(o);
}

std::shared_ptr<acmecpp::DnsProvider> cloudflare(const ProviderSettings& s) {
  acmecpp::CloudflareOptions o;
  o.api_token = s.required({"CLOUDFLARE_DNS_API_TOKEN", "CF_DNS_API_TOKEN"});
  if (auto url = s.get("CLOUDFLARE_BASE_URL")) o.base_url = *url;
  if (auto bundle = s.get("CLOUDFLARE_CA_BUNDLE")) o.ca_bundle = *bundle;
  if (auto ttl = s.seconds("CLOUDFLARE_TTL")) o.ttl = *ttl;
  if (auto zone = s.get("CLOUDFLARE_ZONE_ID")) o.zone_id = *zone;
  o.propagation_timeout = s.seconds("CLOUDFLARE_PROPAGATION_TIMEOUT");
  return acmecpp::make_cloudflare_provider(o);
}

std::shared_ptr<acmecpp::DnsProvider> challtestsrv(const ProviderSettings& s) {
  return acmecpp::make_challtestsrv_provider(s.required({"CHALLTESTSRV_URL"}));
}

std::shared_ptr<acmecpp::DnsProvider> make_provider(const Settings& settings) {
  using Factory = std::function<std::shared_ptr<acmecpp::DnsProvider>(const ProviderSettings&)>;
  static const std::map<std::string, Factory> factories = {{"rfc2136", rfc2136},
                                                           {"exec", exec},
                                                           {"cloudflare", cloudflare},
                                                           {"challtestsrv", challtestsrv}};
  const auto it = factories.find(settings.dns_provider);
  if (it == factories.end()) {
    throw acmecpp::Error(
        acmecpp::ErrorKind::invalid_input,
        settings.dns_provider.empty()
            ? std::string("dns-01 needs --dns PROVIDER (rfc2136, exec, cloudflare, "
                          "challtestsrv)")
            : "unknown DNS provider \"" + settings.dns_provider +
                  "\" (rfc2136, exec, cloudflare, challtestsrv)");
  }
  return it->second(ProviderSettings(settings.dns_provider, settings.dns_options));
}

}  // namespace

std::shared_ptr<acmecpp::Solver> make_dns01_solver(const Settings& settings, acmecpp::LogSink log) {
  acmecpp::Dns01PropagationOptions check;
  check.skip = settings.dns_skip_check;
  check.resolvers = settings.dns_resolvers;
  check.authoritative_override = settings.dns_authoritative;
  if (settings.dns_authoritative_port != 53)
    check.authoritative_port = settings.dns_authoritative_port;
  check.timeout = std::chrono::seconds(settings.dns_propagation_timeout);
  return std::make_shared<acmecpp::Dns01Solver>(make_provider(settings), check, std::move(log));
}

}  // namespace acmectl
