// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Text that came from outside (a CA's problem document, a server's header, a DNS provider's or a
/// hook's output) made fit to print on one line of a terminal or a log.

#include <cstddef>
#include <string>
#include <string_view>

#include "acmecpp/api.hpp"

namespace acmecpp {

/// How many bytes of outside text printable_text() keeps by default: a problem detail, a title.
constexpr std::size_t kPrintableTextLimit = 1000;
/// The bound for a whole printed line made of such parts (an error message, a log line): what a
/// program prints last, as a safety net for text that reached it unescaped.
constexpr std::size_t kPrintableLineLimit = 4096;

/// `text` made safe to print on one line: newline, carriage return and tab become `\n`, `\r` and
/// `\t`; every other control character (C0, DEL, and the C1 controls U+0080 to U+009F, which some
/// terminals obey) and every byte that is not part of valid UTF-8 becomes `\xNN` (lower-case hex of
/// the byte). Printable UTF-8 is kept as it is, and so is the backslash: the result is for people
/// to read, not to be unescaped, and escaping it again changes nothing (so a message built from
/// escaped parts can safely pass through a final escaping before it is printed). When the result
/// would exceed `max_bytes`, it is cut at a character boundary and " … [N more bytes]" names how
/// many bytes of `text` were left out.
ACMECPP_API std::string printable_text(std::string_view text,
                                       std::size_t max_bytes = kPrintableTextLimit);

}  // namespace acmecpp
