// SPDX-License-Identifier: Apache-2.0
#include "dry_run.hpp"

#include <iostream>
#include <memory>

#include "printed.hpp"
#include "tools/memory_store.hpp"

namespace acmectl {

Context dry_run_context(const Context& real) {
  Context dry = real;
  Settings& settings = dry.settings;
  if (settings.server.empty()) settings.staging = true;
  settings.deploy_hook.clear();
  settings.failure_hook.clear();
  settings.export_dir.clear();
  const std::string server = server_url(settings);
  auto memory = std::make_shared<acmecpp::tools::MemoryStore>();
  const auto account = real.store->load_account(real.resolver);
  if (account && real.store->load_server(real.resolver) == server) {
    memory->save_account(real.resolver, *account);
  } else if (account) {
    settings.agree_tos = true;
  }
  for (const auto& record : real.store->certificates(real.resolver)) {
    memory->save_certificate(real.resolver, record);
  }
  memory->save_server(real.resolver, server);
  dry.store = std::move(memory);
  return dry;
}

Context open_command_context(const SettingsSource& source, bool dry_run) {
  return dry_run ? dry_run_context(open_context(source)) : open_ca_context(source);
}

void say_dry_run_done(const Context& dry) {
  std::cout << printed("dry run against " + server_url(dry.settings) +
                       ": nothing was stored, no hook or export ran")
            << '\n';
}

}  // namespace acmectl
