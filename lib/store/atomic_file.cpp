// SPDX-License-Identifier: Apache-2.0
#include "store/atomic_file.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "acmecpp/error.hpp"
#include "core/atomic_write.hpp"
#include "core/c_handle.hpp"

namespace acmecpp::store {
namespace {

// Where the content must go: through a symbolic link to its target, so that a user's link
// (e.g. into a mounted volume) is not replaced by a regular file. A link to nothing (yet) is
// followed too: the file is created where it points, as Traefik's os.WriteFile does.
std::string resolve_target(const std::string& path) {
  constexpr int kMaxLinks = 40;  // Linux's limit on links followed in one path lookup
  std::string current = path;
  for (int followed = 0; followed < kMaxLinks; ++followed) {
    struct stat info {};
    if (::lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return current;
    core::CHandle<char, std::free> resolved(::realpath(current.c_str(), nullptr));
    if (resolved) return std::string(resolved.get());
    // Dangling: one link further by hand (realpath needs the target to exist).
    std::string target(std::size_t(info.st_size) + 1, '\0');
    const ssize_t length = ::readlink(current.c_str(), target.data(), target.size());
    if (length <= 0 || std::size_t(length) >= target.size()) return current;
    target.resize(std::size_t(length));
    if (target.front() != '/') {
      const auto slash = current.rfind('/');
      if (slash != std::string::npos) target = current.substr(0, slash + 1) + target;
    }
    current = target;
  }
  throw Error(ErrorKind::storage, "cannot write " + path + ": too many symbolic links");
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
