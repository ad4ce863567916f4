// SPDX-License-Identifier: Apache-2.0
#pragma once
// The check of what a CA returned for an order, before anything is stored: a certificate for
// another key, for other names, or a chain that is not one must never replace a good certificate.

#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/key.hpp"

namespace acmecpp::crypto {

/// Checks the PEM chain a CA returned (RFC 8555 section 7.4.2) against the order it answers:
/// - it holds certificates only: whitespace between the PEM blocks is fine, any other text
///   (explanations, another kind of PEM block, a stray line) is refused, since the chain is stored
///   and served as it is and RFC 8555 section 9.1's media type holds certificates only;
/// - the first certificate (the leaf) carries the public key of `key`, the key the CSR was made
///   with;
/// - its subjectAltName lists exactly `names` (the order's identifiers): the DNS names as dNSName
///   entries (compared without regard to ASCII case, a wildcard only by the same wildcard), the
///   IP addresses as iPAddress entries (RFC 8738 section 3), nothing more;
/// - each certificate is issued by the next one: its issuer is the next one's subject and its
///   signature verifies with the next one's key. A chain of the leaf alone passes this.
/// Throws Error(protocol) naming what was wrong, e.g. "the certificate the CA returned is for
/// another key" or "... names a.example not covered, b.example not ordered".
void check_issued_chain(std::string_view chain_pem, const PrivateKey& key,
                        const std::vector<std::string>& names);

}  // namespace acmecpp::crypto
