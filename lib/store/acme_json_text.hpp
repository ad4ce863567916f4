// SPDX-License-Identifier: Apache-2.0
#pragma once
// acme.json as text: parsing with a useful position on failure, and Traefik's output layout.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace acmecpp::store {

/// Insertion-ordered, so a rewrite keeps the member order the file had.
using Json = nlohmann::ordered_json;

/// Parses acme.json content. An empty text is an empty store (Traefik treats a 0-byte file so).
/// Throws Error(storage) naming `path`, the byte offset, line and column and the reason — never
/// the text around it, which may be a private key — for every text that is not one JSON value
/// with only whitespace around it (a NUL byte after it included, which nlohmann alone would take
/// for the end), for a number out of range (1e999), and for nesting deeper than 512 levels.
Json parse_acme_json(std::string_view text, const std::string& path);

/// Traefik's layout: json.MarshalIndent(v, "", "  "), i.e. two-space indent, `"key": value`,
/// and no newline at the end. Throws Error(invalid_input) when a string is not valid UTF-8.
std::string serialize_acme_json(const Json& document);

}  // namespace acmecpp::store
