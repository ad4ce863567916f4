// SPDX-License-Identifier: Apache-2.0
#pragma once
// The warning of issue and renew when a running Traefik uses the acme.json they are about to
// write (tools/traefik_processes.hpp says how that is found and what cannot be seen).

#include "settings.hpp"

namespace acmectl {

/// One "acmectl: warning:" line on stderr per running Traefik whose ACME storage is the store
/// the settings name; nothing for a Redis store or when none is found. Never throws.
void warn_if_traefik_uses_store(const Settings& settings);

}  // namespace acmectl
