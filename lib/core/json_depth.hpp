// SPDX-License-Identifier: Apache-2.0
#pragma once
// How deep JSON text nests, found by a scan that builds nothing: checked before parsing text from
// outside, because a parsed document costs memory and recursion per level (nlohmann's parse of
// 8 MB of "[[[[..." takes some 300 MB, and destroying or dumping it recurses once a level).

#include <cstddef>
#include <optional>
#include <string_view>

namespace acmecpp::core {

/// The offset of the first '[' or '{' nested deeper than `max_depth` (brackets inside strings do
/// not count), or nullopt. For text that is not JSON the answer means nothing, and the parse that
/// follows refuses it.
std::optional<std::size_t> json_nesting_beyond(std::string_view text, std::size_t max_depth);

}  // namespace acmecpp::core
