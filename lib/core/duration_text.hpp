// SPDX-License-Identifier: Apache-2.0
#pragma once
// Durations in messages: "3 s" when whole seconds, "2873 ms" otherwise.

#include <chrono>
#include <string>

namespace acmecpp::core {

std::string duration_text(std::chrono::milliseconds duration);

}  // namespace acmecpp::core
