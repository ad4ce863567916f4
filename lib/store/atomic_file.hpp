// SPDX-License-Identifier: Apache-2.0
#pragma once
// Replacing acme.json so that a crash at any moment leaves either the old or the new content.

#include <string>
#include <string_view>

namespace acmecpp::store {

/// core::write_file_atomically() (mode 0600, fsynced) with a temporary file named
/// "<name>.tmp-XXXXXX". A symbolic link at `path` is followed: the file it points to is
/// replaced, the link stays. A link to a file that does not exist (yet) is followed as well: the
/// file is created where the link points (as Traefik's os.WriteFile does), never over the link.
///
/// The caller must hold the exclusive lock for `path`: temporary files left by a writer that
/// was killed are deleted here, which is only safe because no other writer can be active.
/// Throws Error(storage) naming the file and the failing step.
void replace_file_atomically(const std::string& path, std::string_view content);

}  // namespace acmecpp::store
