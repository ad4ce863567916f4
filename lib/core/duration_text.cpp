// SPDX-License-Identifier: Apache-2.0
#include "core/duration_text.hpp"

namespace acmecpp::core {

std::string duration_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

}  // namespace acmecpp::core
