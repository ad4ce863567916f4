// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Revocation reasons (RFC 5280 section 5.3.1 CRLReason) as ACME's revokeCert takes them
/// (RFC 8555 section 7.6), with the names operators type.

#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/api.hpp"

namespace acmecpp {

/// The reason codes Let's Encrypt accepts from subscribers (Boulder answers any other with the
/// problem badRevocationReason). Another CA's other codes can still be passed to
/// acme::Client::revoke_certificate() and CertManager::revoke() as numbers.
enum class RevocationReason : int {
  unspecified = 0,
  key_compromise = 1,
  superseded = 4,
  cessation_of_operation = 5,
};

/// The RFC 5280 name: "unspecified", "keyCompromise", "superseded", "cessationOfOperation".
ACMECPP_API std::string_view to_string(RevocationReason reason);

/// Reads a reason by RFC 5280 name or in CLI spelling, ignoring case, '-' and '_'
/// ("keyCompromise", "key-compromise", "KEY_COMPROMISE"), or as its decimal code ("1").
/// Throws Error(invalid_input) naming the value and listing the accepted names.
ACMECPP_API RevocationReason parse_revocation_reason(std::string_view text);

/// The reason with this code; throws Error(invalid_input) for codes not listed above.
ACMECPP_API RevocationReason revocation_reason_from_code(int code);

/// Every accepted reason, in code order.
ACMECPP_API std::vector<RevocationReason> all_revocation_reasons();

}  // namespace acmecpp
