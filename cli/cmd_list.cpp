// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "acmecpp/error.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"

namespace acmectl {
namespace {

std::vector<CertificateView> collect(const std::string& resolver, const acmecpp::Store& store) {
  std::vector<std::string> resolvers =
      resolver.empty() ? store.resolvers() : std::vector<std::string>{resolver};
  std::vector<CertificateView> views;
  for (const auto& resolver : resolvers) {
    for (auto& record : store.certificates(resolver)) {
      try {
        auto info = acmecpp::parse_certificate(record.certificate_pem);
        views.push_back(CertificateView{resolver, std::move(record), std::move(info)});
      } catch (const acmecpp::Error& e) {
        throw acmecpp::Error(
            acmecpp::ErrorKind::storage,
            "resolver " + resolver + ", certificate " + record.main + ": " + e.what());
      }
    }
  }
  return views;
}

}  // namespace

int run_list(const SettingsSource& source, const ListOptions& list) {
  // Without --resolver, list every resolver's certificates.
  const auto settings = source.resolve(source.named_resolver());
  require_existing_store(settings);
  const auto store = open_store(settings);
  const auto views = collect(source.named_resolver(), *store);
  if (list.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& v : views) array.push_back(to_json(v));
    std::cout << array.dump(2) << '\n';
  } else if (views.empty()) {
    std::cout << "no certificates in " << printable_store(settings.store_path) << '\n';
  } else {
    for (const auto& v : views) std::cout << to_text(v) << '\n';
  }
  return kSuccess;
}

}  // namespace acmectl
