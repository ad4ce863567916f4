// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading a file that holds secrets, refusing it when others may read it (as Traefik does).

#include <sys/types.h>

#include <ctime>
#include <optional>
#include <string>

namespace acmecpp::store {

/// What tells one version of a file from another without reading it: the inode (a replacement
/// by rename is a new one), size, mode and both modification times to the nanosecond (an
/// in-place rewrite or a chmod changes them). Used to reuse a parse while the file is unchanged.
struct FileStamp {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  mode_t mode = 0;
  timespec modified{};
  timespec changed{};

  bool operator==(const FileStamp& other) const;
  bool operator!=(const FileStamp& other) const { return !(*this == other); }
};

/// The stamp of the file at `path` now (exists == false when there is none). Throws
/// Error(storage) when it cannot be examined for another reason.
FileStamp stamp_file(const std::string& path);

/// The whole content of the file at `path`, or nullopt when it does not exist (a symbolic link to
/// nothing included). Throws Error(storage) when it cannot be read, is not a regular file (a FIFO
/// or a device is refused without blocking, a directory too), is larger than 256 MiB, or group or
/// others have any permission on it — with Traefik's wording: "permissions 644 for <path> are too
/// open, please use 600".
/// `stamp`, when given, receives the stamp of what was opened, taken before it was read (so a
/// concurrent in-place change makes the next stamp_file() differ, never the other way round).
std::optional<std::string> read_private_file(const std::string& path, FileStamp* stamp = nullptr);

}  // namespace acmecpp::store
