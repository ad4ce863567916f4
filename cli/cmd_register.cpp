// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "acmecpp/cert_manager.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"

namespace acmectl {

int run_register(const SettingsSource& source) {
  acmecpp::CertManager manager(manager_config(open_ca_context(source), false));
  bool created = false;
  // Ask the server even when the store has the account: `register` is how an operator checks it,
  // and the one way to replace a deactivated account with a new one.
  const auto account =
      manager.ensure_account(acmecpp::CertManager::AccountCheck::register_new, &created);
  std::cout << (created ? "registered" : "found existing") << " account " << account.url << '\n';
  return kSuccess;
}

}  // namespace acmectl
