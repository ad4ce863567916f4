// SPDX-License-Identifier: Apache-2.0
#include "config_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>

#include "acmecpp/error.hpp"

namespace acmectl {
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw acmecpp::Error(acmecpp::ErrorKind::config, where + ": " + what);
}

/// "${VAR}" replaced by the environment variable; an unset variable is an error, not "".
std::string expand_environment(const std::string& value, const std::string& where) {
  std::string out;
  std::size_t pos = 0;
  while (pos < value.size()) {
    const auto start = value.find("${", pos);
    if (start == std::string::npos) break;
    const auto end = value.find('}', start);
    if (end == std::string::npos) fail(where, "unterminated ${ in value");
    const std::string name = value.substr(start + 2, end - start - 2);
    const char* env = std::getenv(name.c_str());
    if (!env) fail(where, "environment variable " + name + " is not set");
    out += value.substr(pos, start - pos) + env;
    pos = end + 1;
  }
  return out + value.substr(pos);
}

std::string canonical_key(std::string key) {
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

const SettingSpec* find_spec(const std::string& key) {
  for (const auto& spec : setting_specs()) {
    if (spec.config_allowed && key == spec.name) return &spec;
  }
  return nullptr;
}

/// "FILE:LINE" of a node (yaml-cpp's marks count lines from 0), or FILE when it has no mark.
std::string place(const std::string& path, const YAML::Node& node) {
  const int line = node.Mark().line;
  return line < 0 ? path : path + ":" + std::to_string(line + 1);
}

/// The text of a mapping's key; a key that is a list or a mapping (`[a, b]: x`) is refused.
std::string key_text(const YAML::Node& key, const std::string& path) {
  if (key.IsNull()) fail(place(path, key), "a key is missing");
  if (!key.IsScalar()) fail(place(path, key), "a key must be a plain name, not a list or mapping");
  return key.Scalar();
}

ConfigFile::Values scalar_or_list(const YAML::Node& node, const std::string& where) {
  ConfigFile::Values values;
  if (node.IsScalar()) {
    values.push_back(expand_environment(node.Scalar(), where));
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!item.IsScalar()) fail(where, "expected a list of plain values");
      values.push_back(expand_environment(item.Scalar(), where));
    }
  } else {
    fail(where, "expected a value or a list");
  }
  return values;
}

/// The setting keys of one mapping (`prefix` names it in messages: "" or "resolvers.NAME.");
/// `skip` names structural keys handled by the caller.
ConfigFile::Scope read_scope(const YAML::Node& map, const std::string& path,
                             const std::string& prefix, const std::vector<std::string>& skip) {
  ConfigFile::Scope scope;
  for (const auto& item : map) {
    const std::string written = key_text(item.first, path);
    const std::string key = canonical_key(written);
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
    if (!find_spec(key)) fail(place(path, item.first), "unknown key \"" + prefix + written + "\"");
    const std::string where = place(path, item.second) + ": " + prefix + key;
    scope[key] = {scalar_or_list(item.second, where), where};
  }
  return scope;
}

ConfiguredCertificate read_certificate(const YAML::Node& node, const std::string& path,
                                       const std::string& name) {
  const std::string where = place(path, node) + ": " + name;
  if (!node.IsMap()) fail(where, "expected a mapping with names");
  ConfiguredCertificate cert;
  for (const auto& item : node) {
    const std::string key = canonical_key(key_text(item.first, path));
    const std::string here = place(path, item.second) + ": " + name + "." + key;
    const auto values = scalar_or_list(item.second, here);
    if (key == "names") {
      cert.names = values;
    } else if (key == "resolver" && values.size() == 1) {
      cert.resolver = values[0];
    } else if (key == "challenge" && values.size() == 1) {
      cert.challenge = values[0];
    } else if (key == "profile" && values.size() == 1) {
      cert.profile = values[0];
    } else {
      fail(place(path, item.first) + ": " + name,
           "unknown or malformed key \"" + key + "\" (names, resolver, challenge, profile)");
    }
  }
  if (cert.names.empty()) fail(where, "names is missing or empty");
  return cert;
}

bool parse_bool(const std::string& value, const std::string& where) {
  if (value == "true" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "no" || value == "off") return false;
  fail(where, "expected true or false, got \"" + value + "\"");
}

std::uint16_t parse_port(const std::string& value, const std::string& where) {
  char* end = nullptr;
  const long port = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || port < 1 || port > 65535) {
    fail(where, "expected a port number, got \"" + value + "\"");
  }
  return static_cast<std::uint16_t>(port);
}

std::string single(const ConfigFile::Values& values, const std::string& where) {
  if (values.size() != 1) fail(where, "expected one value, not a list");
  return values[0];
}

}  // namespace

void apply_scope(Settings& settings, const ConfigFile::Scope& scope) {
  for (const auto& [key, setting] : scope) {
    const SettingSpec* spec = find_spec(key);
    const ConfigFile::Values& values = setting.values;
    const std::string& here = setting.where;
    const std::string& name = key;  // a structured binding cannot be captured (C++17)
    std::visit(
        [&](auto member) {
          using Field = std::remove_reference_t<decltype(settings.*member)>;
          if constexpr (std::is_same_v<Field, std::string>) {
            settings.*member = single(values, here);
            try {
              check_setting_value(name, settings.*member);
            } catch (const acmecpp::Error& e) {
              fail(here, e.what());
            }
          } else if constexpr (std::is_same_v<Field, bool>) {
            settings.*member = parse_bool(single(values, here), here);
          } else if constexpr (std::is_same_v<Field, std::uint16_t>) {
            settings.*member = parse_port(single(values, here), here);
          } else {
            settings.*member = values;
          }
        },
        spec->member);
  }
}

ConfigFile ConfigFile::load(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    fail(path, "cannot read the configuration file");
  } catch (const YAML::Exception& e) {
    fail(path, "line " + std::to_string(e.mark.line + 1) + ", column " +
                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return from_yaml(root, path);
}

ConfigFile ConfigFile::parse(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail(path, "line " + std::to_string(e.mark.line + 1) + ", column " +
                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return from_yaml(root, path);
}

ConfigFile ConfigFile::from_yaml(const YAML::Node& root, const std::string& path) {
  try {
    return read_yaml(root, path);
  } catch (const YAML::Exception& e) {
    // Not expected once every node is checked before use; still a configuration error.
    fail(place(path, root), e.msg);
  }
}

ConfigFile ConfigFile::read_yaml(const YAML::Node& root, const std::string& path) {
  ConfigFile config;
  config.path_ = path;
  if (root.IsNull()) return config;  // an empty file
  if (!root.IsMap()) fail(place(path, root), "the top level must be a mapping of settings");
  config.top_ = read_scope(root, path, "", {"resolvers", "certificates"});
  if (const auto resolvers = root["resolvers"]) {
    if (!resolvers.IsMap()) fail(place(path, resolvers), "resolvers must map names to settings");
    for (const auto& item : resolvers) {
      const auto name = key_text(item.first, path);
      if (!item.second.IsMap()) {
        fail(place(path, item.second) + ": resolvers." + name, "expected a mapping of settings");
      }
      config.resolvers_[name] = read_scope(item.second, path, "resolvers." + name + ".", {});
    }
  }
  if (const auto certs = root["certificates"]) {
    if (!certs.IsSequence()) fail(place(path, certs), "certificates must be a list");
    for (std::size_t i = 0; i < certs.size(); ++i) {
      config.certificates_.push_back(
          read_certificate(certs[i], path, "certificates[" + std::to_string(i) + "]"));
    }
  }
  // Every value checked now, so that a bad file is refused as a whole (and a reload keeps the
  // configuration before it) rather than failing later, one certificate at a time.
  Settings checked;
  config.apply(checked, "");
  for (const auto& resolver : config.resolvers_) config.apply(checked, resolver.first);
  return config;
}

void ConfigFile::apply(Settings& settings, const std::string& resolver) const {
  apply_scope(settings, top_);
  if (const auto it = resolvers_.find(resolver); it != resolvers_.end()) {
    apply_scope(settings, it->second);
  }
}

std::string ConfigFile::default_resolver() const {
  const auto it = top_.find("resolver");
  return it == top_.end() || it->second.values.empty() ? std::string() : it->second.values.front();
}

}  // namespace acmectl
