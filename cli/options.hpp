#pragma once
// What acmectl's flags say, before it is turned into library configuration.

#include <cstdint>
#include <string>
#include <vector>

namespace acmectl {

struct GlobalOptions {
  std::string server;  ///< directory URL; empty: Let's Encrypt production (or staging)
  bool staging = false;
  std::string ca_bundle;
  std::string email;
  bool agree_tos = false;
  std::string eab_kid;
  std::string eab_hmac_key;
  std::string store_path = "./acme.json";
  std::string resolver;  ///< empty: the store's only resolver, else "letsencrypt"
  std::string key_type = "ec256";
  std::string account_key_type = "rsa4096";
  bool verbose = false;
  bool quiet = false;
};

struct IssueOptions {
  std::vector<std::string> names;
  std::string http_address = "0.0.0.0";
  std::uint16_t http_port = 80;
  std::string webroot;
  std::string preferred_chain;
  bool json = false;
};

struct ListOptions {
  bool json = false;
};

}  // namespace acmectl
