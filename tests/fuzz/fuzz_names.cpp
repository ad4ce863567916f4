// SPDX-License-Identifier: Apache-2.0
// DNS names and IDNA: normalize_dns_name on anything (libidn2 for U-labels). What it returns must
// be a valid name in its own right: A-labels, lower case, and unchanged when normalised again.
// normalize_identifier (DNS names and IP addresses) too: its result is stable, and an address
// stays an address.

#include <string>

#include "acmecpp/error.hpp"
#include "acmecpp/names.hpp"
#include "fuzz_support.hpp"

namespace {

void check_identifier(std::string_view name) {
  std::string normal;
  try {
    normal = acmecpp::normalize_identifier(name);
  } catch (const acmecpp::Error&) {
    return;
  }
  try {
    acmecpp::fuzz::require(acmecpp::normalize_identifier(normal) == normal,
                           "normalising an identifier twice changes it");
  } catch (const acmecpp::Error&) {
    acmecpp::fuzz::require(false, "a normal identifier is refused");
  }
  acmecpp::fuzz::require(
      acmecpp::is_ip_address(normal) == acmecpp::is_ip_address(name) || name.front() == '[',
      "normalising made an address of a name or the reverse");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view name = acmecpp::fuzz::text_of(data, size);
  check_identifier(name);
  std::string normal;
  try {
    normal = acmecpp::normalize_dns_name(name);
  } catch (const acmecpp::Error&) {
    return 0;
  }
  acmecpp::fuzz::require(!normal.empty() && normal.size() <= 253, "a normal name's length");
  for (const char c : normal) {
    const bool ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    acmecpp::fuzz::require(ldh || c == '*', "a normal name holds other than a-z, 0-9, '-', '.'");
  }
  try {
    acmecpp::fuzz::require(acmecpp::normalize_dns_name(normal) == normal,
                           "normalising twice changes the name");
  } catch (const acmecpp::Error&) {
    acmecpp::fuzz::require(false, "a normal name is refused");
  }
  return 0;
}
