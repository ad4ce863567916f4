// SPDX-License-Identifier: Apache-2.0
#pragma once
// The tests' name for the in-memory store, which lives in the tools layer (acmectl's dry runs
// use it too): tools/memory_store.hpp.

#include "tools/memory_store.hpp"

namespace acmecpp::testing {
using tools::MemoryStore;
}  // namespace acmecpp::testing
