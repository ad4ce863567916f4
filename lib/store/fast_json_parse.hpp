// SPDX-License-Identifier: Apache-2.0
#pragma once
// A quick parse of well-formed JSON into the same document nlohmann's parser builds. acme.json
// is mostly long base64 strings; nlohmann's lexer takes them a character at a time (about a
// second for a store of 10,000 certificates), this takes runs of plain characters at once.

#include <optional>
#include <string_view>

#include "store/acme_json_text.hpp"

namespace acmecpp::store {

/// The document `text` holds, equal to what Json::parse would return; nullopt whenever the text
/// is not plainly valid JSON, or uses what this parser leaves to nlohmann's (a byte-order mark,
/// nesting deeper than 256): the caller then parses with nlohmann, which also explains errors.
std::optional<Json> parse_json_fast(std::string_view text);

}  // namespace acmecpp::store
