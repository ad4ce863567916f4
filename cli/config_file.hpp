// SPDX-License-Identifier: Apache-2.0
#pragma once
// acmectl's configuration file (YAML). Every setting flag can be written as a key, at the top
// level (for every resolver) or under resolvers.<name>; certificates to keep are listed under
// certificates. "${VAR}" in a value is replaced by the environment variable VAR, so secrets can
// stay out of the file. Flags given on the command line win over the file.
//
//   store: /letsencrypt/acme.json
//   email: ops@example.com
//   agree-tos: true
//   resolvers:
//     letsencrypt:
//       challenge: tls-alpn-01
//     zerossl:
//       server: https://acme.zerossl.com/v2/DV90
//       eab-kid: ${ZEROSSL_EAB_KID}
//       eab-hmac-key: ${ZEROSSL_EAB_HMAC_KEY}
//   certificates:
//     - names: [api.example.com, www.example.com]
//     - names: ["*.example.com", example.com]
//       resolver: zerossl
//       challenge: dns-01
//       profile: shortlived

#include <map>
#include <string>
#include <vector>

#include "settings.hpp"

namespace YAML {
class Node;
}

namespace acmectl {

struct ConfiguredCertificate {
  std::vector<std::string> names;
  std::string resolver;   ///< empty: the default resolver
  std::string challenge;  ///< empty: the resolver's
  std::string profile;    ///< empty: the resolver's (--profile), else the CA's default
};

class ConfigFile {
 public:
  /// Reads and checks the file, every value included; throws acmecpp::Error(config) naming
  /// "FILE:LINE", the key and what is wrong (syntax, a key that is not a plain name, unknown
  /// key, wrong type, unset environment variable), and nothing else.
  static ConfigFile load(const std::string& path);
  /// The same for YAML text already read; `path` names it in messages.
  static ConfigFile parse(const std::string& text, const std::string& path);

  /// Applies the top-level settings, then those of resolvers.<resolver> (if present).
  void apply(Settings& settings, const std::string& resolver) const;
  /// The top-level "resolver" key, or "".
  std::string default_resolver() const;
  const std::vector<ConfiguredCertificate>& certificates() const { return certificates_; }
  const std::string& path() const { return path_; }

  /// A setting's values as written: one element for a scalar, several for a list.
  using Values = std::vector<std::string>;
  struct Setting {
    Values values;
    std::string where;  ///< "FILE:LINE: key" for messages about the value
  };
  using Scope = std::map<std::string, Setting>;

 private:
  static ConfigFile from_yaml(const YAML::Node& root, const std::string& path);
  static ConfigFile read_yaml(const YAML::Node& root, const std::string& path);

  std::string path_;
  Scope top_;
  std::map<std::string, Scope> resolvers_;
  std::vector<ConfiguredCertificate> certificates_;
};

/// Applies one scope's values to `settings`; throws Error(config) for a value of the wrong type.
void apply_scope(Settings& settings, const ConfigFile::Scope& scope);

}  // namespace acmectl
