#include "settings.hpp"

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
      {"store", "Store", "acme.json file (Traefik's format)", &Settings::store_path},
      {"resolver", "Store",
       "resolver section of the store (default: the only one, else letsencrypt)",
       &Settings::resolver},
      {"key-type", "Certificates", "certificate key: ec256|ec384|rsa2048|rsa3072|rsa4096",
       &Settings::key_type},
      {"preferred-chain", "Certificates",
       "keep the chain whose top certificate's issuer has this common name",
       &Settings::preferred_chain},
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
      {"verbose", "Logging", "log every step", &Settings::verbose, false},
      {"quiet", "Logging", "log errors only", &Settings::quiet, false},
  };
  return specs;
}

}  // namespace acmectl
