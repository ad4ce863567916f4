// SPDX-License-Identifier: Apache-2.0
// Text from outside made printable (acmecpp::printable_text) and the places it enters messages:
// a CA's problem document, a hook's output.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "acme/resources.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/printable.hpp"

using namespace acmecpp;

namespace {

/// True when `text` has no byte a terminal would act on: C0 controls, DEL, nor a C1 control
/// (U+0080 to U+009F, encoded C2 80 to C2 9F).
bool has_no_control_characters(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("printable_text escapes control characters and keeps printable UTF-8") {
  CHECK(printable_text("plain text, 100% ok") == "plain text, 100% ok");
  CHECK(printable_text("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  CHECK(printable_text("one\ntwo\r\nthree\tfour") == "one\\ntwo\\r\\nthree\\tfour");
  CHECK(printable_text(std::string("nul\0here", 8)) == "nul\\x00here");
  CHECK(printable_text("del\x7f") == "del\\x7f");
  CHECK(printable_text("c1 \xc2\x9b"
                       "31m") == "c1 \\xc2\\x9b31m");  // U+009B, CSI in 8 bits
  CHECK(printable_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0") ==
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0");  // é € 😀 and a no-break space
  CHECK(printable_text("back\\slash") == "back\\slash");
}

TEST_CASE("printable_text escapes every byte that is not valid UTF-8") {
  CHECK(printable_text("\xff") == "\\xff");
  CHECK(printable_text("cut \xe2\x82") == "cut \\xe2\\x82");            // truncated €
  CHECK(printable_text("\xc0\xaf") == "\\xc0\\xaf");                    // overlong '/'
  CHECK(printable_text("\xed\xa0\x80") == "\\xed\\xa0\\x80");           // a surrogate
  CHECK(printable_text("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  CHECK(printable_text("\x80 lone continuation") == "\\x80 lone continuation");
}

TEST_CASE("printable_text escaped twice is escaped once") {
  const std::string raw = std::string("\x1b]0;title\x07\n\0\xff caf\xc3\xa9 \\x41", 24);
  const std::string once = printable_text(raw);
  CHECK(has_no_control_characters(once));
  CHECK(printable_text(once) == once);
}

TEST_CASE("printable_text cuts long text at a character boundary and says how much is left") {
  CHECK(printable_text(std::string(1000, 'a')) == std::string(1000, 'a'));
  CHECK(printable_text(std::string(1001, 'a')) == std::string(1000, 'a') + " … [1 more bytes]");
  // 'é' is two bytes: the cut never splits one.
  std::string accents;
  for (int i = 0; i < 10; ++i) accents += "\xc3\xa9";
  CHECK(printable_text(accents, 5) == "\xc3\xa9\xc3\xa9 … [16 more bytes]");
  // An escape is not split either: each \x1b takes four bytes of the bound.
  CHECK(printable_text("\x1b\x1b\x1b", 6) == "\\x1b … [2 more bytes]");
}

TEST_CASE(
    "a problem detail with escape sequences, newlines, NULs and 7 MB gives one bounded line") {
  std::string detail = "\x1b[31mYour account is \x1b[5mgone\x1b[0m\nReason:\r\n";
  detail += std::string("\0\0\0", 3);
  detail += std::string(7 * 1024 * 1024, 'x');
  const auto body = nlohmann::json{
      {"type", "urn:ietf:params:acme:error:unauthorized"},
      {"detail", detail},
      {"status", 403}}.dump();
  const Problem problem = acme::problem_from_body(body, 403);
  CHECK(problem.detail == detail);  // the document is kept whole
  const AcmeError error("new order", problem);
  const std::string message = error.what();
  CHECK(has_no_control_characters(message));
  CHECK(message.find('\n') == std::string::npos);
  CHECK(message.size() < 1200);
  CHECK(message.find(
            "\\x1b[31mYour account is \\x1b[5mgone\\x1b[0m\\nReason:\\r\\n\\x00\\x00\\x00x") !=
        std::string::npos);
  CHECK(message.find(" more bytes]") != std::string::npos);
}

TEST_CASE("a problem's type, identifiers and subproblems are escaped, and at most ten are named") {
  Problem problem;
  problem.type = "urn:ietf:params:acme:error:rejectedIdentifier\x1b[2J";
  for (int i = 0; i < 25; ++i) {
    Problem sub;
    sub.type = "urn:ietf:params:acme:error:malformed";
    sub.identifier = "dns:a\n" + std::to_string(i) + ".example";
    sub.detail = "bad\x07";
    problem.subproblems.push_back(sub);
  }
  const std::string summary = problem.summary();
  CHECK(has_no_control_characters(summary));
  CHECK(summary.find("rejectedIdentifier\\x1b[2J") != std::string::npos);
  CHECK(summary.find("dns:a\\n9.example: urn:ietf:params:acme:error:malformed: bad\\x07") !=
        std::string::npos);
  CHECK(summary.find("a\\n10.example") == std::string::npos);
  CHECK(summary.find("… and 15 more subproblems") != std::string::npos);
}
