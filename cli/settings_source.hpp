// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where a command's settings come from: defaults, then the configuration file (its top level,
// then the resolver's section), then the flags given on the command line.

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "config_file.hpp"
#include "kept_settings.hpp"
#include "settings.hpp"

namespace acmectl {

class SettingsSource {
 public:
  /// Registers every setting flag (and --config) on `app`; the source is usable after parsing.
  explicit SettingsSource(CLI::App& app);

  /// The settings for `resolver` (empty: before the resolver is known). Loads the configuration
  /// file on first use.
  Settings resolve(const std::string& resolver = "") const;
  /// The same with a certificate's kept settings between the configuration file and the flags
  /// (`where` names them in errors).
  Settings resolve(const std::string& resolver, const KeptSettings& kept,
                   const std::string& where) const;
  /// --resolver, else the configuration file's "resolver", else "".
  std::string named_resolver() const;
  /// The configuration file, if --config was given.
  const ConfigFile* config() const;
  /// Reads the configuration file again at next use (SIGHUP). A file that no longer loads
  /// throws there, and the previous one stays in force.
  void reload() const;

 private:
  bool given(const char* name) const;

  CLI::App& app_;
  Settings flags_;
  std::string config_path_;
  mutable std::optional<ConfigFile> config_;
};

}  // namespace acmectl
