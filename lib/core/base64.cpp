// SPDX-License-Identifier: Apache-2.0
#include "core/base64.hpp"

#include <array>
#include <cstdint>

#include "acmecpp/error.hpp"

namespace acmecpp::core {
namespace {

constexpr std::string_view kStandardAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n = (std::uint8_t(bytes[i]) << 16) | (std::uint8_t(bytes[i + 1]) << 8) |
                      std::uint8_t(bytes[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint8_t(bytes[i]) << 16;
    if (rest == 2) n |= std::uint8_t(bytes[i + 1]) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (rest == 2) out += alphabet[(n >> 6) & 63];
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

std::array<int, 256> reverse_table(std::string_view alphabet) {
  std::array<int, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i) table[std::uint8_t(alphabet[i])] = int(i);
  return table;
}

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::string decode(std::string_view text, std::string_view alphabet, bool skip_space,
                   const char* what) {
  static const auto standard = reverse_table(kStandardAlphabet);
  static const auto url = reverse_table(kUrlAlphabet);
  const auto& table = alphabet == kStandardAlphabet ? standard : url;
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t filled = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    // Whole groups of four alphabet characters at once: stores hold megabytes of base64.
    while (bits == 0 && padding == 0 && pos + 4 <= text.size()) {
      const int a = table[std::uint8_t(text[pos])];
      const int b = table[std::uint8_t(text[pos + 1])];
      const int c = table[std::uint8_t(text[pos + 2])];
      const int d = table[std::uint8_t(text[pos + 3])];
      if ((a | b | c | d) < 0) break;
      const std::uint32_t n = std::uint32_t(a) << 18 | std::uint32_t(b) << 12 |
                              std::uint32_t(c) << 6 | std::uint32_t(d);
      out[filled++] = char(n >> 16);
      out[filled++] = char((n >> 8) & 0xff);
      out[filled++] = char(n & 0xff);
      pos += 4;
    }
    if (pos >= text.size()) break;
    const char c = text[pos];
    if (skip_space && is_space(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = table[std::uint8_t(c)];
    if (v < 0 || padding > 0) {
      throw Error(ErrorKind::invalid_input,
                  std::string("invalid ") + what + " character at offset " + std::to_string(pos));
    }
    acc = (acc << 6) | std::uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[filled++] = char((acc >> bits) & 0xff);
    }
  }
  if (bits >= 6 || padding > 2) {
    throw Error(ErrorKind::invalid_input, std::string("truncated ") + what + " input");
  }
  out.resize(filled);
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, kStandardAlphabet, true);
}
std::string base64_decode(std::string_view text) {
  return decode(text, kStandardAlphabet, true, "base64");
}
std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, kUrlAlphabet, false);
}
std::string base64url_decode(std::string_view text) {
  return decode(text, kUrlAlphabet, false, "base64url");
}

}  // namespace acmecpp::core
