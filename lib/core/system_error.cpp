// SPDX-License-Identifier: Apache-2.0
#include "core/system_error.hpp"

#include <cerrno>
#include <system_error>

namespace acmecpp::core {

Error storage_error_from_errno(const std::string& action, const std::string& path) {
  // std::generic_category().message() rather than strerror(): the library is used from several
  // threads and strerror's buffer is not guaranteed to be thread-safe.
  const std::string reason = std::generic_category().message(errno);
  return Error(ErrorKind::storage, action + " " + path + ": " + reason);
}

}  // namespace acmecpp::core
