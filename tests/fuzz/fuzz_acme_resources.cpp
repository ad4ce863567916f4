// SPDX-License-Identifier: Apache-2.0
// ACME resources as a CA (or anything between) may send them: the first byte picks the resource
// (directory, account, order, authorization, challenge, problem, renewal info), the rest is the
// body. Parsers may only throw acmecpp::Error.

#include "acme/resources.hpp"
#include "acmecpp/error.hpp"
#include "fuzz_support.hpp"

namespace acme = acmecpp::acme;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string body(acmecpp::fuzz::text_of(data + 1, size - 1));
  const std::string url = "https://ca.example.test/acme/x/1";
  try {
    switch (data[0] % 8) {
      case 0:
        acme::parse_directory(acme::parse_json_body(body, "directory"));
        break;
      case 1:
        acme::parse_account(acme::parse_json_body(body, "account"), url);
        break;
      case 2:
        acme::parse_order(acme::parse_json_body(body, "order"), url);
        break;
      case 3:
        acme::parse_authorization(acme::parse_json_body(body, "authorization"), url);
        break;
      case 4:
        acme::parse_challenge(acme::parse_json_body(body, "challenge"));
        break;
      case 5:
        acme::parse_problem(acme::parse_json_body(body, "problem"), 400);
        break;
      case 6:
        acme::problem_from_body(body, 500);
        break;
      default:
        acme::parse_renewal_info(acme::parse_json_body(body, "renewal info"), "renewal info");
        break;
    }
  } catch (const acmecpp::Error&) {
  }
  return 0;
}
