// SPDX-License-Identifier: Apache-2.0
// The quick acme.json parser must build exactly what nlohmann's parser builds (same values, same
// member order, same handling of a repeated key), and give up on anything nlohmann refuses.

#include <doctest/doctest.h>

#include "store/fast_json_parse.hpp"
#include "support/store_test_files.hpp"

using acmecpp::store::Json;
using acmecpp::store::parse_json_fast;

namespace {

void check_same_as_nlohmann(const std::string& text) {
  INFO(text.substr(0, 200));
  const auto quick = parse_json_fast(text);
  REQUIRE(quick.has_value());
  const Json reference = Json::parse(text);
  CHECK(*quick == reference);
  CHECK(quick->dump() == reference.dump());  // member order too
}

}  // namespace

TEST_CASE("the quick parser reads the fixtures exactly as nlohmann does") {
  for (const char* name :
       {"traefik-rsa.acme.json", "ec-account.acme.json", "multi-resolver.acme.json",
        "unknown-fields.acme.json", "lowercase-members.acme.json"}) {
    check_same_as_nlohmann(store_test::read_fixture(name));
  }
}

TEST_CASE("the quick parser handles escapes, UTF-8, numbers, literals and repeated keys") {
  check_same_as_nlohmann(R"({"a":"x\"y\\z\/\b\f\n\r\t","b":"\u00e9\u20ac\ud83d\ude00\u0000"})");
  check_same_as_nlohmann("{\"name\":\"Ex\xc3\xa4mple \xe2\x82\xac \xf0\x9f\x98\x80\"}");
  check_same_as_nlohmann(R"([0,-1,1.5,-2e3,1E+2,12345678901234567890,true,false,null,[],{}])");
  check_same_as_nlohmann(" \t\r\n{ \"k\" : [ 1 , { \"n\" : null } ] } \n");
  check_same_as_nlohmann(R"({"dup":1,"other":2,"dup":{"x":3}})");
  check_same_as_nlohmann(R"("just a string")");
}

TEST_CASE("the quick parser gives up on what nlohmann refuses or treats specially") {
  for (const std::string& text : {std::string("{"),
                                  std::string("{\"a\":1,}"),
                                  std::string("[1,]"),
                                  std::string("{} x"),
                                  std::string("{\"a\":tru}"),
                                  std::string("\"ctl\x01\""),
                                  std::string("\"\\x\""),
                                  std::string("\"\\ud800\""),
                                  std::string("\"\\udc00\""),
                                  std::string("\"\\u12\""),
                                  std::string("\"\xc0\xaf\""),
                                  std::string("\"\xed\xa0\x80\""),
                                  std::string("\"\xf5\x80\""),
                                  std::string("\"\xe2\x82\""),
                                  std::string("01"),
                                  std::string("-"),
                                  std::string("1."),
                                  std::string("\xef\xbb\xbf{}"),
                                  std::string(300, '[') + std::string(300, ']'),
                                  std::string("   ")}) {
    INFO(text);
    CHECK_FALSE(parse_json_fast(text).has_value());
  }
}
