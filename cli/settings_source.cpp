// SPDX-License-Identifier: Apache-2.0
#include "settings_source.hpp"

namespace acmectl {
namespace {

template <typename Field>
CLI::Option* add_setting(CLI::App& app, const std::string& flag, Field& field, const char* help) {
  if constexpr (std::is_same_v<Field, bool>) {
    return app.add_flag(flag, field, help);
  } else {
    return app.add_option(flag, field, help)->capture_default_str();
  }
}

}  // namespace

SettingsSource::SettingsSource(CLI::App& app) : app_(app) {
  app.add_option("--config", config_path_, "YAML configuration file (flags win over it)")
      ->group("Configuration");
  for (const auto& spec : setting_specs()) {
    std::string flag = std::string("--") + spec.name;
    if (flag == "--verbose") flag = "-v,--verbose";
    if (flag == "--quiet") flag = "-q,--quiet";
    std::visit([&](auto member) { return add_setting(app, flag, flags_.*member, spec.help); },
               spec.member)
        ->group(spec.group);
  }
}

bool SettingsSource::given(const char* name) const {
  return app_.get_option(std::string("--") + name)->count() > 0;
}

const ConfigFile* SettingsSource::config() const {
  if (!config_ && !config_path_.empty()) config_ = ConfigFile::load(config_path_);
  return config_ ? &*config_ : nullptr;
}

void SettingsSource::reload() const {
  if (config_path_.empty()) return;
  config_ = ConfigFile::load(config_path_);
}

std::string SettingsSource::named_resolver() const {
  if (given("resolver")) return flags_.resolver;
  return config() ? config()->default_resolver() : std::string();
}

Settings SettingsSource::resolve(const std::string& resolver) const {
  return resolve(resolver, {}, {});
}

Settings SettingsSource::resolve(const std::string& resolver, const KeptSettings& kept,
                                 const std::string& where) const {
  Settings settings;
  if (const auto* file = config()) file->apply(settings, resolver);
  apply_kept_settings(settings, kept, where);
  for (const auto& spec : setting_specs()) {
    if (!given(spec.name)) continue;
    std::visit([&](auto member) { settings.*member = flags_.*member; }, spec.member);
  }
  if (!resolver.empty()) settings.resolver = resolver;
  return settings;
}

}  // namespace acmectl
