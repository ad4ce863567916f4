// SPDX-License-Identifier: Apache-2.0
// IDNA choice: names with U-labels (or "xn--" A-labels, which libidn2 then checks are valid
// Punycode) go through idn2_to_ascii_8z with IDNA2008 non-transitional processing and the
// UTS#46 mapping. There is deliberately no retry with transitional processing: where the two
// differ (ß, final sigma, ZWJ/ZWNJ) transitional processing yields a *different* domain
// ("faß.de" would become "fass.de"), and a certificate for a name the user did not type is worse
// than a clear refusal. Browsers and registries have moved to non-transitional processing.

#include <arpa/inet.h>
#include <idn2.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_set>

#include "acmecpp/error.hpp"
#include "acmecpp/names.hpp"
#include "core/ascii.hpp"
#include "core/c_handle.hpp"
#include "core/ip_address.hpp"

namespace acmecpp {

namespace {

constexpr std::size_t kMaxLabelOctets = 63;
constexpr std::size_t kMaxNameOctets = 253;  // without the trailing dot (RFC 1035 section 2.3.4)

/// The input as it can be shown in a message: control bytes become \xNN, UTF-8 stays readable.
std::string printable(std::string_view text) {
  std::string shown;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      shown += escaped;
    } else {
      shown += c;
    }
  }
  return shown;
}

[[noreturn]] void refuse(std::string_view input, const std::string& rule) {
  throw Error(ErrorKind::invalid_input, "invalid DNS name \"" + printable(input) + "\": " + rule);
}

std::vector<std::string_view> split_labels(std::string_view name) {
  std::vector<std::string_view> labels;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    labels.push_back(name.substr(start, dot - start));
    if (dot == std::string_view::npos) return labels;
    start = dot + 1;
  }
}

bool needs_idna(std::string_view name) {
  const bool non_ascii = std::any_of(name.begin(), name.end(),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  return non_ascii || core::ascii_lower(name).find("xn--") != std::string::npos;
}

/// U-labels to A-labels (and validation of existing A-labels); see the note at the top.
std::string to_a_labels(std::string_view input, std::string_view name) {
  char* converted = nullptr;
  const int rc = idn2_to_ascii_8z(std::string(name).c_str(), &converted,
                                  IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  const core::CHandle<char, idn2_free> owner(converted);
  if (rc != IDN2_OK || !converted) {
    refuse(input, std::string("it is not a valid internationalised name (IDNA2008/UTS#46): ") +
                      idn2_strerror(rc));
  }
  return core::ascii_lower(converted);
}

bool is_ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

void check_label(std::string_view input, std::string_view label) {
  if (label.empty()) refuse(input, "it has an empty label (two dots in a row, or a leading dot)");
  if (label.size() > kMaxLabelOctets) {
    refuse(input, "label \"" + printable(label) + "\" is " + std::to_string(label.size()) +
                      " octets long; at most 63 are allowed");
  }
  const auto bad = std::find_if_not(label.begin(), label.end(), is_ldh);
  if (bad != label.end()) {
    refuse(input, "label \"" + printable(label) + "\" contains '" + printable({&*bad, 1}) +
                      "'; only letters, digits and hyphens are allowed");
  }
  if (label.front() == '-') {
    refuse(input, "label \"" + std::string(label) + "\" starts with a hyphen");
  }
  if (label.back() == '-') refuse(input, "label \"" + std::string(label) + "\" ends with a hyphen");
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr const char* kIpIdentifierNote =
    "it is an IP address, and IP identifiers (RFC 8738) are not DNS names";

/// IPv6 literals would otherwise be refused for their colons, with a less helpful message.
void refuse_ipv6_literal(std::string_view input, std::string_view name) {
  unsigned char address[16];
  const std::string unbracketed(name.size() > 2 && name.front() == '[' && name.back() == ']'
                                    ? name.substr(1, name.size() - 2)
                                    : name);
  if (inet_pton(AF_INET6, unbracketed.c_str(), address) == 1) refuse(input, kIpIdentifierNote);
}

/// No top-level domain is all digits (RFC 3696 section 2), so such a name is an IPv4 address in
/// one of its spellings ("127.0.0.1", "127.1").
void refuse_ipv4_like(std::string_view input, const std::vector<std::string_view>& labels) {
  if (all_digits(labels.back())) refuse(input, kIpIdentifierNote);
}

/// Splits off a leading "*." and refuses every other use of '*'.
std::string_view strip_wildcard(std::string_view input, std::string_view name, bool& wildcard) {
  wildcard = name.substr(0, 2) == "*.";
  if (wildcard) name.remove_prefix(2);
  if (name == "*" && !wildcard) {
    refuse(input, "a wildcard needs a domain after \"*.\", as in \"*.example.com\"");
  }
  if (name.find('*') != std::string_view::npos) {
    refuse(input, "'*' is only allowed as the whole first label, as in \"*.example.com\"");
  }
  return name;
}

}  // namespace

std::string normalize_dns_name(std::string_view input) {
  std::string_view name = input;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);  // the root, written out
  if (name.empty()) refuse(input, "the name is empty");
  bool wildcard = false;
  name = strip_wildcard(input, name, wildcard);
  refuse_ipv6_literal(input, name);
  // Empty labels are checked before IDNA so that "a..b" gets this message, not libidn2's.
  for (const std::string_view label : split_labels(name)) {
    if (label.empty()) refuse(input, "it has an empty label (two dots in a row, or a leading dot)");
  }

  const std::string ascii = needs_idna(name) ? to_a_labels(input, name) : core::ascii_lower(name);
  const std::vector<std::string_view> labels = split_labels(ascii);
  for (const std::string_view label : labels) check_label(input, label);
  refuse_ipv4_like(input, labels);

  std::string normalized = wildcard ? "*." + ascii : ascii;
  if (normalized.size() > kMaxNameOctets) {
    refuse(input,
           "it is " + std::to_string(normalized.size()) + " octets long; at most 253 are allowed");
  }
  return normalized;
}

namespace {

/// Normalises each name with `normalize` and removes duplicates, keeping first-seen order.
/// Normalised names are lower-case A-labels or canonical addresses, so plain equality is the
/// right comparison.
template <typename Normalize>
std::vector<std::string> normalize_all(const std::vector<std::string>& names,
                                       const char* none_given, Normalize normalize) {
  if (names.empty()) throw Error(ErrorKind::invalid_input, none_given);
  std::vector<std::string> unique;
  std::unordered_set<std::string> seen;
  for (const std::string& name : names) {
    std::string normalized = normalize(name);
    if (seen.insert(normalized).second) unique.push_back(std::move(normalized));
  }
  return unique;
}

[[noreturn]] void refuse_ip(std::string_view input, const std::string& rule) {
  throw Error(ErrorKind::invalid_input, "invalid IP address \"" + printable(input) + "\": " + rule);
}

/// Only digits and dots: meant as an IPv4 address, since no top-level domain is all digits.
bool looks_like_ipv4(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

std::vector<std::string> normalize_dns_names(const std::vector<std::string>& names) {
  return normalize_all(names, "no DNS names given",
                       [](const std::string& name) { return normalize_dns_name(name); });
}

bool is_ip_address(std::string_view text) {
  return core::canonical_ip_address(text).has_value();
}

std::string normalize_identifier(std::string_view input) {
  std::string_view name = input;
  // "[2001:db8::10]", as in a URL: the brackets are removed; only an IPv6 address may have them.
  const bool bracketed = name.size() > 2 && name.front() == '[' && name.back() == ']';
  if (bracketed) name = name.substr(1, name.size() - 2);
  if (const auto canonical = core::canonical_ip_address(name)) {
    if (bracketed && canonical->find(':') == std::string::npos) {
      refuse_ip(input, "only an IPv6 address may be written in brackets");
    }
    return *canonical;
  }
  if (bracketed) refuse_ip(input, "it is not an IPv6 address");
  if (name.substr(0, 2) == "*." && is_ip_address(name.substr(2))) {
    refuse_ip(input, "a wildcard cannot cover an IP address");
  }
  if (looks_like_ipv4(name)) {
    refuse_ip(input,
              "an IPv4 address is four decimal numbers from 0 to 255 without leading zeros, as "
              "in 192.0.2.10");
  }
  return normalize_dns_name(input);
}

std::vector<std::string> normalize_identifiers(const std::vector<std::string>& names) {
  return normalize_all(names, "no names given",
                       [](const std::string& name) { return normalize_identifier(name); });
}

}  // namespace acmecpp
