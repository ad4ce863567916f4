// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/printable.hpp"

#include <algorithm>

namespace acmecpp {
namespace {

/// Length of the valid UTF-8 sequence at the start of `text` (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or 0 when it does not start with one.
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](std::size_t i) {
    return i < text.size() && (byte(i) & 0xC0) == 0x80;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (lead == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (lead == 0xED && byte(1) >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (lead == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (lead == 0xF4 && byte(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

std::string hex_escape(unsigned char byte) {
  constexpr const char* kDigits = "0123456789abcdef";
  return {'\\', 'x', kDigits[byte >> 4], kDigits[byte & 0x0F]};
}

/// The printed form of the character (or lone invalid byte) at the start of `text`; `consumed`
/// says how many bytes of `text` it stands for.
std::string escape_one(std::string_view text, std::size_t& consumed) {
  const std::size_t length = utf8_sequence_length(text);
  const auto lead = static_cast<unsigned char>(text[0]);
  consumed = length == 0 ? 1 : length;
  if (length == 0) return hex_escape(lead);
  if (length == 1) {
    if (lead == '\n') return "\\n";
    if (lead == '\r') return "\\r";
    if (lead == '\t') return "\\t";
    if (lead < 0x20 || lead == 0x7F) return hex_escape(lead);
    return std::string(1, static_cast<char>(lead));
  }
  if (length == 2 && lead == 0xC2 && static_cast<unsigned char>(text[1]) < 0xA0) {
    return hex_escape(lead) + hex_escape(static_cast<unsigned char>(text[1]));  // C1 control
  }
  return std::string(text.substr(0, length));
}

}  // namespace

std::string printable_text(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 16);
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t consumed = 0;
    const std::string piece = escape_one(text.substr(at), consumed);
    if (out.size() + piece.size() > max_bytes) {
      out += " … [" + std::to_string(text.size() - at) + " more bytes]";
      return out;
    }
    out += piece;
    at += consumed;
  }
  return out;
}

}  // namespace acmecpp
