#include "delivery.hpp"

#include <cctype>
#include <iostream>
#include <string_view>

#include "acmecpp/export.hpp"
#include "acmecpp/hooks.hpp"
#include "printed.hpp"

namespace acmectl {
namespace {

std::optional<acmecpp::ExportedFiles> export_if_asked(const Settings& settings,
                                                      const acmecpp::CertificateRecord* record) {
  if (settings.export_dir.empty() || !record) return std::nullopt;
  return acmecpp::export_certificate(*record, settings.export_dir,
                                     acmecpp::parse_export_format(settings.export_format));
}

void report(const std::string& main, const acmecpp::HookResult& result) {
  std::cerr << "acmectl: error: hook for " << main << ' '
            << (result.timed_out ? "timed out and was killed"
                                 : "exited with status " + std::to_string(result.exit_code));
  std::string_view tail = result.stderr_tail;
  while (!tail.empty() && std::isspace(static_cast<unsigned char>(tail.back())))
    tail.remove_suffix(1);
  // The hook's own output: escaped, so that it stays on this line and cannot drive the terminal.
  if (!tail.empty()) std::cerr << ": " << acmecpp::printable_text(tail);
  std::cerr << " (the certificate is kept)\n";
}

}  // namespace

bool deliver(const Settings& settings, const acmecpp::CertificateEvent& event,
             const acmecpp::CertificateRecord* record) {
  const bool failed = event.type == acmecpp::CertificateEventType::failed;
  const auto files = failed ? std::nullopt : export_if_asked(settings, record);
  const std::string& hook = failed ? settings.failure_hook : settings.deploy_hook;
  if (hook.empty()) return true;
  acmecpp::HookOptions options;
  options.timeout = std::chrono::seconds(settings.hook_timeout);
  const auto result = acmecpp::run_event_hook(hook, event, files, options);
  if (result.succeeded()) return true;
  report(event.names.empty() ? std::string() : event.names.front(), result);
  return false;
}

}  // namespace acmectl
