// SPDX-License-Identifier: Apache-2.0
// acmectl migrate: every resolver's account and certificates from one store to another (acme.json
// and Redis either way), through the Store interface alone, so the copy is as lossless as the
// stores' records are (both keep the same fields and the "acmecpp" member).

#include <iostream>

#include "acmecpp/error.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "printed.hpp"
#include "setup.hpp"

namespace acmectl {

int run_migrate(const MigrateOptions& options) {
  const std::string from_name = printable_store(options.from);
  const std::string to_name = printable_store(options.to);
  const auto from = open_store_at(options.from);
  const auto to = open_store_at(options.to);
  if (!options.force) {
    for (const auto& resolver : to->resolvers()) {
      if (to->load_account(resolver) || !to->certificates(resolver).empty()) {
        throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                             "the target store " + to_name + " is not empty (resolver \"" +
                                 resolver + "\"): add --force to overwrite what it holds");
      }
    }
  }
  std::size_t accounts = 0;
  std::size_t certificates = 0;
  acmecpp::Store::Batch batch(*to);  // one write of the target, not one a record
  for (const auto& resolver : from->resolvers()) {
    const auto account = from->load_account(resolver);
    if (account) to->save_account(resolver, *account);
    const auto server = from->load_server(resolver);  // the CA its account belongs to
    if (!server.empty()) to->save_server(resolver, server);
    const auto records = from->certificates(resolver);
    for (const auto& record : records) to->save_certificate(resolver, record);
    accounts += account ? 1 : 0;
    certificates += records.size();
    std::cout << printed("resolver " + resolver + ": " + (account ? "account" : "no account") +
                         ", " + std::to_string(records.size()) + " certificates")
              << '\n';
  }
  batch.commit();
  std::cout << printed("migrated " + std::to_string(accounts) + " accounts and " +
                       std::to_string(certificates) + " certificates from " + from_name + " to " +
                       to_name)
            << '\n';
  return kSuccess;
}

}  // namespace acmectl
