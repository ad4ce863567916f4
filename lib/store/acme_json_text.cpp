#include "store/acme_json_text.hpp"

#include <algorithm>

#include "acmecpp/error.hpp"
#include "store/fast_json_parse.hpp"

namespace acmecpp::store {
namespace {

struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};

// Line and column (both from 1) of the character at `offset`; offset == text.size() is the end.
TextPosition position_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  TextPosition position;
  position.line = 1 + std::size_t(std::count(before.begin(), before.end(), '\n'));
  const auto line_start = before.rfind('\n');
  position.column = offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  return position;
}

// nlohmann's message reads "[json.exception.parse_error.101] parse error at line 2, column 18:
// syntax error ... - invalid string: missing closing quote; last read: '<text>'". The position
// is reported separately and "last read" quotes the file (possibly a key), so both are cut.
std::string reason_of(const nlohmann::json::parse_error& error) {
  std::string_view message = error.what();
  const auto column = message.find("column ");
  const auto colon = message.find(": ", column == std::string_view::npos ? 0 : column);
  if (colon != std::string_view::npos) message.remove_prefix(colon + 2);
  const auto quoted = message.find("; last read");
  return std::string(message.substr(0, quoted));
}

Error parse_failure(const nlohmann::json::parse_error& error, std::string_view text,
                    const std::string& path) {
  // error.byte counts the characters read, so the offending one is at offset byte - 1.
  const std::size_t offset = error.byte > 0 ? error.byte - 1 : 0;
  const TextPosition where = position_of(text, offset);
  return Error(ErrorKind::storage, path + " is not valid JSON: at byte " +
                                       std::to_string(error.byte) + " (line " +
                                       std::to_string(where.line) + ", column " +
                                       std::to_string(where.column) + "): " + reason_of(error));
}

}  // namespace

Json parse_acme_json(std::string_view text, const std::string& path) {
  if (text.empty()) return Json::object();
  if (auto quick = parse_json_fast(text)) return std::move(*quick);
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& error) {
    throw parse_failure(error, text, path);
  }
}

std::string serialize_acme_json(const Json& document) {
  try {
    return document.dump(2);
  } catch (const nlohmann::json::type_error& error) {
    // Only invalid UTF-8 in a string the caller gave (e.g. an e-mail) gets here; the message
    // names the offending byte, not the text.
    throw Error(ErrorKind::invalid_input, std::string("cannot write acme.json: ") + error.what());
  }
}

}  // namespace acmecpp::store
