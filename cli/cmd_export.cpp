// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"
#include "tools/file_export.hpp"
#include "upkeep_report.hpp"

namespace acmectl {

int run_export(const SettingsSource& source, const ExportOptions& options) {
  require_existing_store(source.resolve());
  const auto context = open_context(source);
  const auto format = acmecpp::parse_export_format(options.format);
  std::size_t exported = 0;
  const auto records = context.store->certificates(context.resolver);
  for (const auto& record : records) {
    if (!holds_any_name(record, options.names)) continue;
    for (const auto& path : acmecpp::export_certificate(record, options.out_dir, format).paths()) {
      std::cout << path << '\n';
    }
    ++exported;
  }
  if (exported == 0) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "no certificate of resolver " + context.resolver + " matches");
  }
  // Traefik reads one file listing them all: the whole section, also when names were given.
  if (format == acmecpp::ExportFormat::traefik) {
    std::cout << acmecpp::write_traefik_dynamic_file(records, options.out_dir) << '\n';
  }
  return kSuccess;
}

}  // namespace acmectl
