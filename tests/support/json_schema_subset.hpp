// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small JSON Schema checker for the tests (no Debian package of a C++ validator is used here):
// the draft-07 keywords type (object, array, string, boolean, integer, number), properties,
// required, additionalProperties (false or a schema), items (one schema), minLength, and $ref to
// "#/definitions/NAME". title, description and $schema are ignored. Any other keyword is an
// error of the schema itself, so a fixture cannot rely on a keyword that is silently skipped.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace acmecpp::testing {

/// What in `document` breaks `schema`, one line each naming the place ("/tls/certificates/0");
/// empty when it conforms. Throws std::invalid_argument for a keyword not in the subset.
std::vector<std::string> schema_violations(const nlohmann::json& schema,
                                           const nlohmann::json& document);

/// A YAML document as JSON: mappings, sequences, null, and scalars as strings, except that a
/// plain (unquoted) true/false is a boolean. Throws std::runtime_error for YAML that does not
/// parse, naming yaml-cpp's message.
nlohmann::json yaml_as_json(const std::string& yaml);

}  // namespace acmecpp::testing
