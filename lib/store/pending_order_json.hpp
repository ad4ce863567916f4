// SPDX-License-Identifier: Apache-2.0
#pragma once
// PendingOrder <-> JSON, one object per order, as acme.json keeps it in the resolver's
//   "acmecpp": {"orders": [
//     {"url": "https://ca/order/1", "names": ["a.example", "b.example"],
//      "account": "https://ca/acct/1", "key": "<base64 of the PEM key>", "profile": "shortlived",
//      "replaces": "<ARI ID>", "created": "<RFC 3339>", "expires": "<RFC 3339>"}]}
// and RedisStore as the value of its order key. Empty members are left out. The key is base64
// like the "key" of a certificate entry.

#include <string>

#include "acmecpp/store.hpp"
#include "store/acme_json_text.hpp"

namespace acmecpp::store {

/// Reads one order object. Throws Error(storage) naming `place` and the member when one has the
/// wrong type, the key is not base64 or a time is not RFC 3339; never quoting the key.
PendingOrder read_pending_order(const Json& object, const std::string& place);

/// The object for `order`. Throws Error(invalid_input) when it has no names.
Json pending_order_json(const PendingOrder& order);

}  // namespace acmecpp::store
