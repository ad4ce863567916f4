// SPDX-License-Identifier: Apache-2.0
#include "delivery.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <string_view>

#include "acmecpp/printable.hpp"
#include "log_output.hpp"
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

/// How much of the end of a hook's stdout and of its stderr a -v line shows.
constexpr std::size_t kLoggedTail = 512;

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

/// The last `limit` bytes of `text` (from a character's start), escaped: the hook's own output
/// stays on its line and cannot drive the terminal.
std::string printable_tail(std::string_view text, std::size_t limit) {
  text = trimmed(text);
  if (text.size() > limit) {
    text.remove_prefix(text.size() - limit);
    while (!text.empty() && (static_cast<unsigned char>(text.front()) & 0xC0) == 0x80)
      text.remove_prefix(1);  // not the middle of a UTF-8 character
    return "…" + acmecpp::printable_text(text);
  }
  return acmecpp::printable_text(text);
}

/// One line on stderr naming the hook (by its setting: the line itself may hold a secret) and
/// the certificate, and what went wrong.
void report(const char* which, const std::string& main, const std::string& what,
            const nlohmann::json& fields, std::string_view tail = {}) {
  tail = trimmed(tail);
  log_error(std::string(which) + " hook for " + main + ' ' + what +
                (tail.empty() ? "" : ": " + acmecpp::printable_text(tail)) +
                " (the certificate is kept)",
            fields);
}

std::string outcome(const acmecpp::HookResult& result) {
  if (!result.start_error.empty()) return "could not be started: " + result.start_error;
  if (result.timed_out) return "timed out and was killed";
  if (result.term_signal != 0) return "was killed by signal " + std::to_string(result.term_signal);
  return "exited with status " + std::to_string(result.exit_code);
}

/// With -v, every hook run: how it ended, how long it took, the end of what it printed.
void log_run(const char* which, const std::string& main, const acmecpp::HookResult& result,
             std::chrono::milliseconds took, nlohmann::json fields) {
  const auto out = printable_tail(result.stdout_tail, kLoggedTail);
  const auto err = printable_tail(result.stderr_tail, kLoggedTail);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", double(took.count()) / 1000.0);
  fields["duration_ms"] = took.count();
  if (result.start_error.empty() && result.term_signal == 0 && !result.timed_out) {
    fields["exit_status"] = result.exit_code;
  }
  log_to_stderr(acmecpp::LogLevel::debug,
                std::string(which) + " hook for " + main + ' ' + outcome(result) + " after " +
                    seconds + " s; stdout: " + (out.empty() ? "(none)" : "\"" + out + "\"") +
                    "; stderr: " + (err.empty() ? "(none)" : "\"" + err + "\""),
                fields);
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
  const nlohmann::json fields = {{"name", main}, {"resolver", event.resolver}, {"hook", which}};
  // Called from renewal workers and from error paths: whatever happens to the hook is a hook
  // failure, never an exception that replaces the error being reported or ends a worker.
  try {
    const auto started = std::chrono::steady_clock::now();
    const auto result = acmecpp::run_event_hook(hook, event, files, options);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (settings.verbose) log_run(which, main, result, took, fields);
    if (result.succeeded()) return true;
    report(which, main, outcome(result), fields, result.stderr_tail);
  } catch (const std::exception& e) {
    report(which, main, std::string("could not be run: ") + acmecpp::printable_text(e.what()),
           fields);
  }
  return false;
}

}  // namespace acmectl
