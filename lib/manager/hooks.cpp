// Exec hooks: the ACMECPP_* environment of an event, and running the operator's shell line.

#include <unistd.h>

#include "acmecpp/hooks.hpp"
#include "core/rfc3339.hpp"
#include "manager/hook_process.hpp"

extern char** environ;

namespace acmecpp {
namespace {

constexpr std::string_view kPrefix = "ACMECPP_";

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) {
    if (!text.empty()) text += ' ';
    text += name;
  }
  return text;
}

// The inherited environment without ACMECPP_* entries, then `added`.
std::vector<std::string> hook_process_environment(const std::map<std::string, std::string>& added) {
  std::vector<std::string> entries;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string_view name = text.substr(0, text.find('='));
    if (name.compare(0, kPrefix.size(), kPrefix) == 0 || added.count(std::string(name)) != 0) {
      continue;
    }
    entries.emplace_back(text);
  }
  for (const auto& [name, value] : added) entries.push_back(name + "=" + value);
  return entries;
}

void put_files(std::map<std::string, std::string>& env, const ExportedFiles& files) {
  const std::pair<const char*, const std::string*> variables[] = {
      {"ACMECPP_CERT_PATH", &files.certificate},
      {"ACMECPP_CHAIN_PATH", &files.chain},
      {"ACMECPP_FULLCHAIN_PATH", &files.fullchain},
      {"ACMECPP_KEY_PATH", &files.private_key},
  };
  for (const auto& [name, path] : variables) {
    if (!path->empty()) env[name] = *path;
  }
}

}  // namespace

std::string_view to_string(CertificateEventType type) {
  switch (type) {
    case CertificateEventType::issued:
      return "issued";
    case CertificateEventType::renewed:
      return "renewed";
    case CertificateEventType::failed:
      return "failed";
  }
  return "unknown";
}

std::map<std::string, std::string> hook_environment(const CertificateEvent& event,
                                                    const std::optional<ExportedFiles>& files) {
  std::map<std::string, std::string> env;
  env["ACMECPP_EVENT"] = std::string(to_string(event.type));
  env["ACMECPP_NAMES"] = joined(event.names);
  env["ACMECPP_MAIN"] = event.names.empty() ? std::string() : event.names.front();
  env["ACMECPP_RESOLVER"] = event.resolver;
  if (event.not_after) env["ACMECPP_NOT_AFTER"] = core::format_rfc3339(*event.not_after);
  if (event.type == CertificateEventType::failed) env["ACMECPP_ERROR"] = event.error;
  if (files) put_files(env, *files);
  return env;
}

HookResult run_hook(const std::string& command,
                    const std::map<std::string, std::string>& environment,
                    const HookOptions& options) {
  return manager::run_shell(command, hook_process_environment(environment), options.timeout,
                            options.output_tail_bytes);
}

HookResult run_event_hook(const std::string& command, const CertificateEvent& event,
                          const std::optional<ExportedFiles>& files, const HookOptions& options) {
  return run_hook(command, hook_environment(event, files), options);
}

}  // namespace acmecpp
