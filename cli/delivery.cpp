// SPDX-License-Identifier: Apache-2.0
#include "delivery.hpp"

#include <cctype>
#include <iostream>
#include <string_view>

#include "printed.hpp"
#include "tools/exec_hooks.hpp"
#include "tools/file_export.hpp"

namespace acmectl {
namespace {

std::optional<acmecpp::ExportedFiles> export_if_asked(const Settings& settings,
                                                      const acmecpp::CertificateEvent& event,
                                                      const acmecpp::CertificateRecord* record,
                                                      const acmecpp::Store& store) {
  if (settings.export_dir.empty() || !record) return std::nullopt;
  const auto format = acmecpp::parse_export_format(settings.export_format);
  auto files = acmecpp::export_certificate(*record, settings.export_dir, format);
  // Traefik's file provider reloads when its file changes; the file lists the whole section.
  if (format == acmecpp::ExportFormat::traefik) {
    acmecpp::write_traefik_dynamic_file(store.certificates(event.resolver), settings.export_dir);
  }
  return files;
}

/// One line on stderr naming the hook (by its setting: the line itself may hold a secret) and
/// the certificate, and what went wrong.
void report(const char* which, const std::string& main, const std::string& what,
            std::string_view tail = {}) {
  while (!tail.empty() && std::isspace(static_cast<unsigned char>(tail.back())))
    tail.remove_suffix(1);
  // The hook's own output: escaped, so that it stays on this line and cannot drive the terminal.
  std::cerr << "acmectl: error: " << which << " hook for " << main << ' ' << what
            << (tail.empty() ? "" : ": " + acmecpp::printable_text(tail))
            << " (the certificate is kept)\n";
}

std::string outcome(const acmecpp::HookResult& result) {
  if (!result.start_error.empty()) return "could not be started: " + result.start_error;
  if (result.timed_out) return "timed out and was killed";
  if (result.term_signal != 0) return "was killed by signal " + std::to_string(result.term_signal);
  return "exited with status " + std::to_string(result.exit_code);
}

}  // namespace

bool deliver(const Settings& settings, const acmecpp::CertificateEvent& event,
             const acmecpp::CertificateRecord* record, const acmecpp::Store& store) {
  const bool failed = event.type == acmecpp::CertificateEventType::failed;
  const auto files = failed ? std::nullopt : export_if_asked(settings, event, record, store);
  const std::string& hook = failed ? settings.failure_hook : settings.deploy_hook;
  if (hook.empty()) return true;
  const char* which = failed ? "failure" : "deploy";
  const std::string main = event.names.empty() ? std::string() : event.names.front();
  acmecpp::HookOptions options;
  options.timeout = std::chrono::seconds(settings.hook_timeout);
  // Called from renewal workers and from error paths: whatever happens to the hook is a hook
  // failure, never an exception that replaces the error being reported or ends a worker.
  try {
    const auto result = acmecpp::run_event_hook(hook, event, files, options);
    if (result.succeeded()) return true;
    report(which, main, outcome(result), result.stderr_tail);
  } catch (const std::exception& e) {
    report(which, main, std::string("could not be run: ") + acmecpp::printable_text(e.what()));
  }
  return false;
}

}  // namespace acmectl
