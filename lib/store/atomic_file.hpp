#pragma once
// Replacing a file so that a crash at any moment leaves either the old or the new content.

#include <string>
#include <string_view>

namespace acmecpp::store {

/// Writes `content` to a temporary file "<name>.tmp-XXXXXX" in the target's directory (created
/// with O_EXCL and mode 0600, so it is never readable by others, not even briefly), fsyncs it,
/// renames it over the target and fsyncs the directory. A symbolic link at `path` is followed:
/// the file it points to is replaced, the link stays.
///
/// The caller must hold the exclusive lock for `path`: temporary files left by a writer that
/// was killed are deleted here, which is only safe because no other writer can be active.
/// Throws Error(storage) naming the file and the failing step.
void replace_file_atomically(const std::string& path, std::string_view content);

/// The prefix of the temporary files replace_file_atomically() creates for `path`'s file name
/// (without directory), e.g. "acme.json.tmp-".
std::string temp_file_prefix(const std::string& file_name);

}  // namespace acmecpp::store
