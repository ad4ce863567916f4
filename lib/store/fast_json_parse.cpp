// SPDX-License-Identifier: Apache-2.0
#include "store/fast_json_parse.hpp"

#include <cstdint>

namespace acmecpp::store {
namespace {

constexpr int kMaxDepth = 256;

/// Thrown inside the parser only: "not for the quick path", turned into nullopt.
struct NotPlain {};

class QuickParser {
 public:
  explicit QuickParser(std::string_view text) : at_(text.data()), end_(text.data() + text.size()) {}

  Json document() {
    Json value = parse_value(0);
    skip_whitespace();
    if (at_ != end_) throw NotPlain{};
    return value;
  }

 private:
  void skip_whitespace() {
    while (at_ != end_ && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) ++at_;
  }

  char peek() {
    if (at_ == end_) throw NotPlain{};
    return *at_;
  }

  void expect_word(std::string_view word) {
    if (std::size_t(end_ - at_) < word.size() || std::string_view(at_, word.size()) != word) {
      throw NotPlain{};
    }
    at_ += word.size();
  }

  Json parse_value(int depth) {
    if (depth > kMaxDepth) throw NotPlain{};
    skip_whitespace();
    switch (peek()) {
      case '{':
        return parse_object(depth);
      case '[':
        return parse_array(depth);
      case '"':
        return Json(parse_string());
      case 't':
        expect_word("true");
        return Json(true);
      case 'f':
        expect_word("false");
        return Json(false);
      case 'n':
        expect_word("null");
        return Json(nullptr);
      default:
        return parse_number();
    }
  }

  Json parse_object(int depth) {
    ++at_;  // '{'
    Json object = Json::object();
    skip_whitespace();
    if (peek() == '}') {
      ++at_;
      return object;
    }
    for (;;) {
      skip_whitespace();
      if (peek() != '"') throw NotPlain{};
      std::string key = parse_string();
      skip_whitespace();
      if (peek() != ':') throw NotPlain{};
      ++at_;
      // operator[] as nlohmann's parser uses it: a repeated key keeps its first place and
      // takes the last value.
      object[key] = parse_value(depth + 1);
      skip_whitespace();
      const char next = peek();
      ++at_;
      if (next == '}') return object;
      if (next != ',') throw NotPlain{};
    }
  }

  Json parse_array(int depth) {
    ++at_;  // '['
    Json array = Json::array();
    skip_whitespace();
    if (peek() == ']') {
      ++at_;
      return array;
    }
    for (;;) {
      array.push_back(parse_value(depth + 1));
      skip_whitespace();
      const char next = peek();
      ++at_;
      if (next == ']') return array;
      if (next != ',') throw NotPlain{};
    }
  }

  // Numbers are rare in acme.json: the token goes to nlohmann, so it is read exactly as before.
  Json parse_number() {
    const char* start = at_;
    while (at_ != end_ &&
           std::string_view("+-0123456789.eE").find(*at_) != std::string_view::npos) {
      ++at_;
    }
    if (at_ == start) throw NotPlain{};
    try {
      return Json::parse(start, at_);
    } catch (const nlohmann::json::exception&) {
      throw NotPlain{};
    }
  }

  static bool plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

  std::string parse_string() {
    ++at_;  // '"'
    std::string value;
    for (;;) {
      const char* run = at_;
      while (at_ != end_ && plain(static_cast<unsigned char>(*at_))) ++at_;
      value.append(run, at_);
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') {
        ++at_;
        return value;
      }
      if (c == '\\') {
        ++at_;
        append_escape(value);
      } else if (c >= 0x80) {
        append_utf8_sequence(value);
      } else {
        throw NotPlain{};  // a control character
      }
    }
  }

  unsigned hex4() {
    if (end_ - at_ < 4) throw NotPlain{};
    unsigned value = 0;
    for (int i = 0; i < 4; ++i, ++at_) {
      const char c = *at_;
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= unsigned(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= unsigned(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        value |= unsigned(c - 'A' + 10);
      } else {
        throw NotPlain{};
      }
    }
    return value;
  }

  void append_escape(std::string& value) {
    const char c = peek();
    ++at_;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        value += c;
        return;
      case 'b':
        value += '\b';
        return;
      case 'f':
        value += '\f';
        return;
      case 'n':
        value += '\n';
        return;
      case 'r':
        value += '\r';
        return;
      case 't':
        value += '\t';
        return;
      case 'u':
        append_code_point(value, unicode_escape());
        return;
      default:
        throw NotPlain{};
    }
  }

  // \uXXXX, with a surrogate pair as one code point; a lone surrogate is not plain.
  std::uint32_t unicode_escape() {
    const unsigned first = hex4();
    if (first >= 0xDC00 && first <= 0xDFFF) throw NotPlain{};
    if (first < 0xD800 || first > 0xDBFF) return first;
    expect_word("\\u");
    const unsigned second = hex4();
    if (second < 0xDC00 || second > 0xDFFF) throw NotPlain{};
    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
  }

  static void append_code_point(std::string& value, std::uint32_t cp) {
    if (cp < 0x80) {
      value += static_cast<char>(cp);
    } else if (cp < 0x800) {
      value += static_cast<char>(0xC0 | (cp >> 6));
      value += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      value += static_cast<char>(0xE0 | (cp >> 12));
      value += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      value += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      value += static_cast<char>(0xF0 | (cp >> 18));
      value += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      value += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      value += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // One well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most
  // U+10FFFF), copied as it is.
  void append_utf8_sequence(std::string& value) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(at_);
    const std::size_t left = std::size_t(end_ - at_);
    const unsigned char lead = bytes[0];
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      throw NotPlain{};
    }
    if (left < length) throw NotPlain{};
    for (std::size_t i = 1; i < length; ++i) {
      const unsigned char lower = i == 1 ? low : 0x80;
      const unsigned char upper = i == 1 ? high : 0xBF;
      if (bytes[i] < lower || bytes[i] > upper) throw NotPlain{};
    }
    value.append(at_, length);
    at_ += length;
  }

  const char* at_;
  const char* end_;
};

}  // namespace

std::optional<Json> parse_json_fast(std::string_view text) {
  if (!text.empty() && static_cast<unsigned char>(text.front()) == 0xEF) return std::nullopt;
  try {
    return QuickParser(text).document();
  } catch (const NotPlain&) {
    return std::nullopt;
  }
}

}  // namespace acmecpp::store
