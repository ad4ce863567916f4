// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/key.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"

namespace acmectl {
namespace {

void print(const acmecpp::acme::Account& account, const Context& context) {
  std::cout << "account " << account.url << "\nstatus " << account.status << "\ncontact";
  for (const auto& c : account.contact) std::cout << ' ' << c;
  std::cout << '\n';
  if (const auto stored = context.store->load_account(context.resolver)) {
    const auto key = acmecpp::PrivateKey::from_der(stored->private_key_der);
    std::cout << "key " << acmecpp::to_string(key.type()) << '\n';
  }
}

}  // namespace

int run_account(const SettingsSource& source, const std::string& action) {
  const auto context = open_ca_context(source);
  acmecpp::CertManager manager(manager_config(context, false));
  if (action == "show") {
    print(manager.ensure_account(acmecpp::CertManager::AccountCheck::ask_server), context);
  } else if (action == "update") {
    print(manager.update_account_email(context.settings.email), context);
  } else if (action == "rollover") {
    manager.ensure_account();
    manager.rollover_account_key();
    std::cout << "account key replaced; the store holds the new key\n";
  } else if (action == "deactivate") {
    print(manager.deactivate_account(), context);
  }
  return kSuccess;
}

}  // namespace acmectl
