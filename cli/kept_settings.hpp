// SPDX-License-Identifier: Apache-2.0
#pragma once
// The settings a certificate was obtained with, kept beside it in the store (the library's
// RenewalState::settings, acme.json's "acmecpp"."settings"), so that `renew` in a cron job
// renews it the same way without being told again. (A renewal keeps the key type of the key it
// replaces anyway; --key-type is kept for the record.) Only what it takes to answer the challenges
// and make the key: never secrets (DNS credentials stay in the environment or the configuration).

#include <map>
#include <string>
#include <vector>

#include "settings.hpp"

namespace acmectl {

using KeptSettings = std::map<std::string, std::vector<std::string>>;

/// The settings of `settings` worth keeping with a certificate, by their flag names (without
/// "--"); --dns-option entries whose key names a secret (…SECRET…, …TOKEN…, …PASSWORD…, …KEY…
/// other than a TSIG key's name) are left out.
KeptSettings kept_settings(const Settings& settings);

/// Applies kept settings (names this acmectl does not keep are ignored); throws Error(config)
/// naming `where` for a value of the wrong type.
void apply_kept_settings(Settings& settings, const KeptSettings& kept, const std::string& where);

}  // namespace acmectl
