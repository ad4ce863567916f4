// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Logging goes through a sink the embedding program provides. Secrets (keys, EAB MAC keys,
/// challenge tokens' key authorizations) are never passed to it.

#include <functional>
#include <string_view>

#include "acmecpp/api.hpp"

namespace acmecpp {

enum class LogLevel { debug, info, warning, error };

ACMECPP_API std::string_view to_string(LogLevel level);

/// Receives one finished line at a time; may be called from several threads at once.
using LogSink = std::function<void(LogLevel, std::string_view message)>;

/// A sink that drops everything (the default).
ACMECPP_API LogSink null_log_sink();

}  // namespace acmecpp
