// SPDX-License-Identifier: Apache-2.0
#pragma once
// RenewalState <-> the "acmecpp" member of a certificate entry in acme.json:
//   "acmecpp": {
//     "ari": {"certID": "...", "windowStart": "<RFC 3339>", "windowEnd": "...",
//             "selectedTime": "...", "checkedAt": "...", "retryAfterSeconds": 21600,
//             "explanationURL": "..."},
//     "failures": {"count": 2, "last": "<RFC 3339>", "lastError": "..."},
//     "profile": "shortlived",
//     "settings": {"challenge": "http-01", "http-port": "8080", "dns-option": ["A=1", "B=2"]}
//   }
// A setting of one value is written as a string, one of several as an array of strings.
// Members that are unset are left out; an empty state has no "acmecpp" member at all. Traefik
// decodes entries with encoding/json, which ignores members it does not know.

#include <string>

#include "acmecpp/store.hpp"
#include "store/acme_json_text.hpp"

namespace acmecpp::store {

/// Reads the entry's "acmecpp" member (absent or null: an empty state). Throws Error(storage)
/// naming `place` and the member when one has the wrong type or is not an RFC 3339 time.
RenewalState read_renewal_state(const Json& entry, const std::string& place);

/// Replaces the entry's "acmecpp" member with `state`, or removes it when the state is empty.
void write_renewal_state(Json& entry, const RenewalState& state);

}  // namespace acmecpp::store
