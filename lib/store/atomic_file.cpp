#include "store/atomic_file.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <memory>

#include "core/atomic_write.hpp"
#include "core/c_handle.hpp"

namespace acmecpp::store {
namespace {

// Where the content must go: through a symbolic link to its target, so that a user's link
// (e.g. into a mounted volume) is not replaced by a regular file.
std::string resolve_target(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return path;
  core::CHandle<char, std::free> resolved(::realpath(path.c_str(), nullptr));
  return resolved ? std::string(resolved.get()) : path;
}

}  // namespace

void replace_file_atomically(const std::string& path, std::string_view content) {
  const std::string target = resolve_target(path);
  // Named as acme.json's temporary files always were, so the cleanup (safe: the caller holds
  // the exclusive lock) also removes what killed writers of earlier versions left.
  constexpr auto kTempName = core::TempFileName::suffixed;
  core::remove_stale_temp_files(target, kTempName);
  core::write_file_atomically(target, content, {0600, kTempName, /*durable=*/true});
}

}  // namespace acmecpp::store
