// SPDX-License-Identifier: Apache-2.0
#pragma once
// The managed certificates of `renew` and `run`, each renewed the way it was obtained: its
// settings kept in the store (kept_settings.hpp) come between the configuration file and the
// flags, so flags override them. One place builds them for both commands.

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/store.hpp"
#include "kept_settings.hpp"
#include "settings_source.hpp"
#include "setup.hpp"

namespace acmectl {

class KeptCertificates {
 public:
  /// For the certificates of `context`'s resolver; `hooks_ok` must outlive the managers.
  KeptCertificates(const SettingsSource& source, const Context& context,
                   std::atomic<bool>& hooks_ok);

  /// The certificate `names` with the settings kept in `record` (nullptr: none is stored yet;
  /// the resolver's settings), and `challenge` (a configuration entry's own, "" for none).
  /// Certificates kept with the same settings share their solvers (one HTTP-01 server a port).
  /// Throws acmecpp::Error for kept settings that no longer apply.
  acmecpp::ManagedCertificate make(const std::vector<std::string>& names,
                                   const acmecpp::CertificateRecord* record,
                                   const std::string& challenge = "");

  /// The stored certificate whose main name is `main` (ignoring case), if any.
  std::optional<acmecpp::CertificateRecord> stored(const std::string& main) const;

 private:
  const SettingsSource& source_;
  const Context& context_;
  std::atomic<bool>& hooks_ok_;
  const KeptSettings resolver_kept_;
  /// (kept settings, challenge) -> the solvers made for them.
  std::map<std::pair<KeptSettings, std::string>, std::vector<std::shared_ptr<acmecpp::Solver>>>
      solvers_of_;
};

}  // namespace acmectl
