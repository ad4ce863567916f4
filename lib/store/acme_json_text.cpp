// SPDX-License-Identifier: Apache-2.0
#include "store/acme_json_text.hpp"

#include <algorithm>
#include <optional>

#include "acmecpp/error.hpp"
#include "core/json_depth.hpp"
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

// Deeper nesting than any acme.json has; refused because writing the document back (dump) and
// destroying it recurse once a level.
constexpr std::size_t kMaxNesting = 512;

// nlohmann's message reads "[json.exception.parse_error.101] parse error at line 2, column 18:
// syntax error ... - invalid string: missing closing quote; last read: '<text>'". The position
// is reported separately and "last read" quotes the file (possibly a key), so both are cut.
std::string reason_of(const nlohmann::json::exception& error) {
  // 406 reads "number overflow parsing '<the number>'".
  if (error.id == 406) return "number out of range";
  std::string_view message = error.what();
  const auto column = message.find("column ");
  const auto colon = message.find(": ", column == std::string_view::npos ? 0 : column);
  if (colon != std::string_view::npos) {
    message.remove_prefix(colon + 2);
  } else if (const auto bracket = message.find("] "); bracket != std::string_view::npos) {
    message.remove_prefix(bracket + 2);
  }
  const auto quoted = message.find("; last read");
  return std::string(message.substr(0, quoted));
}

// Where parsing broke: the offset of the offending byte (from 0) and why.
struct Failure {
  std::size_t offset = 0;
  std::string reason;
};

Error failure_error(const Failure& failure, std::string_view text, const std::string& path) {
  const TextPosition where = position_of(text, failure.offset);
  return Error(ErrorKind::storage, path + " is not valid JSON: at byte " +
                                       std::to_string(failure.offset + 1) + " (line " +
                                       std::to_string(where.line) + ", column " +
                                       std::to_string(where.column) + "): " + failure.reason);
}

// A parse that builds nothing and keeps where nlohmann's parser stopped and why. Needed because
// nlohmann throws a number out of range (1e999) as out_of_range, which carries no position; its
// SAX interface hands every failure over with one.
class FailureFinder final : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::json::exception& error) override {
    // `position` counts the bytes read. A syntax error is at the last of them; a number out of
    // range is the whole token just read, named by its first byte.
    const std::size_t token = error.id == 406 ? last_token.size() : 1;
    failure = Failure{position >= token ? position - token : 0, reason_of(error)};
    return false;
  }

  std::optional<Failure> failure;
};

std::optional<Failure> find_failure(std::string_view text) {
  FailureFinder finder;
  Json::sax_parse(text.begin(), text.end(), &finder);
  return finder.failure;
}

// Why `text`, which nlohmann did not parse or which holds a NUL byte, is refused.
Failure failure_of(std::string_view text) {
  const auto nul = text.find('\0');
  // nlohmann's lexer takes a NUL byte for the end of the input, so a parse stops there.
  std::optional<Failure> failure = find_failure(text);
  if (nul != std::string_view::npos && (!failure || failure->offset >= nul)) {
    return {nul, failure ? "a NUL byte, which JSON text never holds"
                         : "a NUL byte after the JSON value (only whitespace may follow it)"};
  }
  if (failure) return *failure;
  return {text.size(), "not JSON"};  // not reached: nlohmann refused what its SAX parse accepts
}

}  // namespace

Json parse_acme_json(std::string_view text, const std::string& path) {
  if (text.empty()) return Json::object();
  if (auto quick = parse_json_fast(text)) return std::move(*quick);
  if (const auto deep = core::json_nesting_beyond(text, kMaxNesting)) {
    throw failure_error({*deep, "nested deeper than " + std::to_string(kMaxNesting) + " levels"},
                        text, path);
  }
  if (text.find('\0') == std::string_view::npos) {
    try {
      return Json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception&) {
      // Any of them (a syntax error, a number out of range): located below.
    }
  }
  throw failure_error(failure_of(text), text, path);
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
