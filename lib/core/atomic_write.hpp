// SPDX-License-Identifier: Apache-2.0
#pragma once
// Replacing a file so that a reader, or a crash at any moment, sees the old content or the new,
// never a mix: temporary file beside the target, rename over it. The one such writer of the
// library (acme.json, exported certificates and keys, webroot tokens, the directory cache).

#include <sys/types.h>

#include <string>
#include <string_view>

namespace acmecpp::core {

/// How the temporary file beside the target is named ("XXXXXX" random, see mkostemp(3)).
enum class TempFileName {
  hidden,    ///< ".<name>.tmp-XXXXXX": out of `ls` and web servers' listings
  suffixed,  ///< "<name>.tmp-XXXXXX": acme.json's, which its stale-file cleanup looks for
};

struct AtomicWriteOptions {
  /// The file's permissions, given before its first byte is written (the temporary file is
  /// created 0600), whatever the process's umask.
  mode_t mode = 0600;
  TempFileName temp_name = TempFileName::hidden;
  /// fsync the file before the rename and the directory after it, so that the new content also
  /// survives a power loss. Without it a killed process still leaves the old or the new content,
  /// but after a power loss the file may be empty or partial.
  bool durable = true;
};

/// Writes `content` to a temporary file in `path`'s directory (created with O_EXCL), renames it
/// over `path` and deletes it again on any failure. A symbolic link at `path` is replaced by the
/// file, as rename(2) does; a caller that must keep the link resolves it first. Needs no lock:
/// concurrent writers each use their own temporary file, and the last rename wins.
/// Throws Error(storage) naming the file and the failing step.
void write_file_atomically(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options = {});

/// Deletes the temporary files that writers of `path` killed before their rename left behind.
/// Only safe while no other writer of `path` can be active (e.g. under an exclusive lock): it
/// would delete their temporary files too. Best effort: what cannot be deleted stays.
void remove_stale_temp_files(const std::string& path, TempFileName style);

}  // namespace acmecpp::core
