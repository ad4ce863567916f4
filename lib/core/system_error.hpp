// SPDX-License-Identifier: Apache-2.0
#pragma once
// Turning a failed system call into Error(storage) that names the operation and the file.

#include <string>

#include "acmecpp/error.hpp"

namespace acmecpp::core {

/// Error(storage) "<action> <path>: <strerror(errno)>", e.g. "cannot open /x/acme.json: Permission
/// denied". Reads errno, so call it right after the failing call.
Error storage_error_from_errno(const std::string& action, const std::string& path);

}  // namespace acmecpp::core
