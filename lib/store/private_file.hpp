#pragma once
// Reading a file that holds secrets, refusing it when others may read it (as Traefik does).

#include <optional>
#include <string>

namespace acmecpp::store {

/// The whole content of the file at `path`, or nullopt when it does not exist. Throws
/// Error(storage) when it cannot be read, is not a regular file, or group or others have any
/// permission on it — with Traefik's wording: "permissions 644 for <path> are too open, please
/// use 600".
std::optional<std::string> read_private_file(const std::string& path);

}  // namespace acmecpp::store
