// SPDX-License-Identifier: Apache-2.0
#pragma once
// The message of the acmecpp::Error an action throws, for tests that check what a failure says.

#include <doctest/doctest.h>

#include <string>

#include "acmecpp/error.hpp"

namespace acmecpp::testing {

/// The message of the Error `action` throws; fails the test when it throws nothing or an Error
/// of another kind than `kind`.
template <typename Action>
std::string error_message_of(ErrorKind kind, Action&& action) {
  try {
    action();
  } catch (const Error& error) {
    CHECK(error.kind() == kind);
    return error.what();
  }
  FAIL("expected Error(" << to_string(kind) << ")");
  return {};
}

}  // namespace acmecpp::testing
