// SPDX-License-Identifier: Apache-2.0
#include "traefik_warning.hpp"

#include <iostream>

#include "acmecpp/redis_store.hpp"
#include "printed.hpp"
#include "tools/traefik_processes.hpp"

namespace acmectl {

void warn_if_traefik_uses_store(const Settings& settings) {
  if (acmecpp::is_redis_url(settings.store_path)) return;
  try {
    for (const auto& user : acmecpp::traefik_processes_using(settings.store_path)) {
      const std::string resolver =
          user.resolver.empty() ? std::string() : ", resolver " + user.resolver;
      std::cerr << printed("acmectl: warning: a running Traefik (process " +
                           std::to_string(user.pid) + resolver + ", from " + user.source +
                           ") uses " + settings.store_path +
                           " as its ACME storage: it read the file at start and rewrites all of "
                           "it from memory, so it will not serve what acmectl writes there and "
                           "will overwrite it; see README \"Traefik side by side\"")
                << '\n';
    }
  } catch (const std::exception&) {
    // Only a warning: whatever /proc holds never stops the command.
  }
}

}  // namespace acmectl
