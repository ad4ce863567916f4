// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/shared_challenges.hpp"

namespace acmecpp {

// Out of line, so that the class's vtable and type information live in the library once.
SharedChallenges::~SharedChallenges() = default;

}  // namespace acmecpp
