// SPDX-License-Identifier: Apache-2.0
#pragma once
// One acme.json account or certificate object <-> AccountRecord / CertificateRecord.
// Reading checks types and decodes the base64 fields; writing updates the known fields of an
// existing object in place, so members acmecpp does not know (and their order) survive.

#include <string>

#include "acmecpp/store.hpp"
#include "store/acme_json_text.hpp"

namespace acmecpp::store {

/// Reads an "Account" object. `place` names it in error messages, e.g.
/// `/x/acme.json: resolver "le", Account`. Throws Error(storage) for a field of the wrong type or
/// a PrivateKey that is not base64 (naming the field, never its value).
AccountRecord read_account(const Json& account, const std::string& place);

/// Reads one element of "Certificates"; a missing "Store" reads as "default".
CertificateRecord read_certificate(const Json& entry, const std::string& place);

/// The entry's "domain"."main", or "" when it has none (or a malformed domain).
std::string certificate_main(const Json& entry);

/// Traefik's account members in Traefik's order, for a resolver that has no account yet.
Json new_account_object();
/// Traefik's certificate members in Traefik's order, for a certificate not yet stored.
Json new_certificate_object();

/// Updates an account object in place. Throws Error(invalid_input) when
/// record.registration_body is neither empty nor JSON.
void write_account(Json& account, const AccountRecord& record);
void write_certificate(Json& entry, const CertificateRecord& record);

}  // namespace acmecpp::store
