// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Part of the tools layer (lib/tools): acmectl's own code on the library's internals, linked
/// into acmectl and never installed, so it makes no API or ABI promise.
///
/// Exec hooks: an operator's shell line (e.g. "systemctl reload nginx") run after a certificate
/// was issued or renewed, or when that failed. The line is run as `/bin/sh -c LINE`, so it may
/// use pipes, `&&` and variables; it receives the event in environment variables:
///
/// | variable | value |
/// |---|---|
/// | ACMECPP_EVENT | issued, renewed or failed |
/// | ACMECPP_NAMES | every name, space-separated, main first |
/// | ACMECPP_MAIN | the main name |
/// | ACMECPP_RESOLVER | the store section (Traefik's resolver name) |
/// | ACMECPP_NOT_AFTER | the certificate's expiry, RFC 3339 UTC (not for failures) |
/// | ACMECPP_CERT_PATH, ACMECPP_CHAIN_PATH, ACMECPP_FULLCHAIN_PATH, ACMECPP_KEY_PATH | the exported
/// files, when exported (see file_export.hpp) |
/// | ACMECPP_ERROR | what went wrong (failures only) |
///
/// Every value is bounded: at most 4 KiB (ACMECPP_NAMES: 32 KiB, room for 100 names of the
/// longest kind). A longer one, such as a CA's megabyte-long problem detail, is cut before a
/// UTF-8 character and ends with "… [truncated from N bytes]", N being its full size.
///
/// Every other variable is inherited from the calling process, except inherited ACMECPP_* ones,
/// which are removed so a stale value cannot leak into the hook.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "acmecpp/events.hpp"
#include "tools/file_export.hpp"

namespace acmecpp {

struct HookOptions {
  /// When it expires, the hook's whole process group is killed (SIGKILL) and the result says so.
  std::chrono::milliseconds timeout{std::chrono::minutes(1)};
  /// How much of the end of the hook's stdout and stderr is kept in the result.
  std::size_t output_tail_bytes = 4096;
};

struct HookResult {
  int exit_code = -1;      ///< the shell's exit status, or -1 when a signal ended it
  int term_signal = 0;     ///< the signal that ended it, or 0
  bool timed_out = false;  ///< killed because the timeout expired
  std::string stdout_tail;
  std::string stderr_tail;
  /// Non-empty when /bin/sh could not be started at all (the hook never ran): what failed, with
  /// the system's reason, e.g. "cannot start /bin/sh: Argument list too long".
  std::string start_error;

  /// Started, exited with status 0 in time.
  bool succeeded() const { return start_error.empty() && exit_code == 0 && !timed_out; }
};

/// The ACMECPP_* variables for an event (table above); `files` when the certificate was exported.
std::map<std::string, std::string> hook_environment(
    const CertificateEvent& event, const std::optional<ExportedFiles>& files = std::nullopt);

/// Runs `/bin/sh -c command` in its own process group with `environment` added to the inherited
/// one (inherited ACMECPP_* removed, every added value bounded as described above), stdin from
/// /dev/null, and waits for it up to the timeout. Output is collected until the shell exits (a
/// background process it leaves holding the output open is not waited for). The exit status is
/// right whatever this program does with SIGCHLD (ignored, handled, default). A non-zero exit, a
/// timeout and a shell that cannot be started (start_error) are reported in the result, not
/// thrown.
HookResult run_hook(const std::string& command,
                    const std::map<std::string, std::string>& environment,
                    const HookOptions& options = {});

/// run_hook(command, hook_environment(event, files), options).
HookResult run_event_hook(const std::string& command, const CertificateEvent& event,
                          const std::optional<ExportedFiles>& files = std::nullopt,
                          const HookOptions& options = {});

}  // namespace acmecpp
