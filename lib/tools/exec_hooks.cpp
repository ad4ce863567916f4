// SPDX-License-Identifier: Apache-2.0
// Exec hooks: the ACMECPP_* environment of an event, and running the operator's shell line
// through the one child-process runner (core/child_process).

#include "tools/exec_hooks.hpp"

#include "core/child_process.hpp"
#include "core/rfc3339.hpp"

namespace acmecpp {
namespace {

/// A hook's variable holds at most this many bytes. The kernel refuses a single environment
/// string over 128 KiB (E2BIG) and the whole of argv and environment over a share of the stack
/// limit; a CA's problem detail (ACMECPP_ERROR) can be megabytes.
constexpr std::size_t kMaxValueBytes = 4096;
/// ACMECPP_NAMES may hold 100 names of up to 253 bytes (the most a CA puts in one certificate):
/// scripts loop over it, so it is cut only past that.
constexpr std::size_t kMaxNamesBytes = 32 * 1024;

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) {
    if (!text.empty()) text += ' ';
    text += name;
  }
  return text;
}

/// `value` when it fits in `limit` bytes; else its start, cut before a UTF-8 character (never
/// inside one), followed by "… [truncated from N bytes]", all within `limit`.
std::string bounded(const std::string& value, std::size_t limit) {
  if (value.size() <= limit) return value;
  const std::string marker =
      "\xE2\x80\xA6 [truncated from " + std::to_string(value.size()) + " bytes]";
  std::size_t cut = limit > marker.size() ? limit - marker.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return value.substr(0, cut) + marker;
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
  core::ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", command};
  // Inherited ACMECPP_* variables are stale values from whoever started us.
  spec.environment.remove = {"ACMECPP_*"};
  for (const auto& [name, value] : environment) {
    spec.environment.set[name] =
        bounded(value, name == "ACMECPP_NAMES" ? kMaxNamesBytes : kMaxValueBytes);
  }
  core::ChildRunOptions run;
  run.timeout = options.timeout;
  run.output_cap = options.output_tail_bytes;
  // Output a process the line left in the background writes after the shell exited is read
  // this much longer, not until that process closes the pipe (it may never do so).
  run.output_grace = std::chrono::milliseconds(200);
  core::ChildRunResult ran = core::run_child(spec, run);

  HookResult result;
  result.start_error = std::move(ran.start_error);
  result.exit_code = ran.exit_code;
  result.term_signal = ran.term_signal;
  result.timed_out = ran.timed_out;
  result.stdout_tail = std::move(ran.out);
  result.stderr_tail = std::move(ran.err);
  return result;
}

HookResult run_event_hook(const std::string& command, const CertificateEvent& event,
                          const std::optional<ExportedFiles>& files, const HookOptions& options) {
  return run_hook(command, hook_environment(event, files), options);
}

}  // namespace acmecpp
