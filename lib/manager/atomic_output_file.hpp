#pragma once
// Replacing an exported file (certificate, key) so that readers see the old or the new content,
// with the mode the file must have from its first byte on.

#include <sys/types.h>
#include <string>
#include <string_view>

namespace acmecpp::manager {

/// Writes `content` to a temporary file ".<name>.tmp-XXXXXX" beside `path` (created 0600, then
/// given `mode` before any byte is written), fsyncs it, renames it over `path` and fsyncs the
/// directory. Unlike the store's replace_file_atomically() it needs no lock: it never touches
/// other writers' temporary files. Throws Error(storage) naming the file and the failing step.
void write_file_atomically(const std::string& path, std::string_view content, mode_t mode);

}  // namespace acmecpp::manager
