// SPDX-License-Identifier: Apache-2.0
// acme.json: both JSON parsers differentially (when the quick parser accepts, nlohmann's must
// accept the same document), then the store's reading of every resolver and entry, and a write
// back. Only acmecpp::Error may come out (Error(storage) for everything the parse refuses).

#include <optional>

#include <nlohmann/json.hpp>

#include "acmecpp/error.hpp"
#include "fuzz_support.hpp"
#include "store/acme_json_document.hpp"
#include "store/acme_json_text.hpp"
#include "store/fast_json_parse.hpp"

using acmecpp::store::Json;

namespace {

// nlohmann's verdict; it takes a NUL byte for the end of the input, which parse_acme_json
// refuses before asking it, so such texts are compared only up to that point.
std::optional<Json> nlohmann_parse(std::string_view text) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

void read_everything(const acmecpp::store::AcmeJsonDocument& document) {
  for (const auto& resolver : document.resolvers()) {
    document.account(resolver);
    for (const auto& record : document.certificates(resolver)) {
      document.certificates_named(resolver, record.main);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = acmecpp::fuzz::text_of(data, size);
  const std::optional<Json> quick = acmecpp::store::parse_json_fast(text);
  if (quick) {
    const std::optional<Json> slow = nlohmann_parse(text);
    acmecpp::fuzz::require(slow.has_value(), "the quick parser accepts what nlohmann refuses");
    acmecpp::fuzz::require(*slow == *quick, "the quick parser and nlohmann disagree");
  }
  try {
    const Json parsed = acmecpp::store::parse_acme_json(text, "acme.json");
    if (!text.empty() && text.find('\0') == std::string_view::npos) {
      const std::optional<Json> slow = nlohmann_parse(text);
      acmecpp::fuzz::require(slow && *slow == parsed, "parse_acme_json differs from nlohmann");
    }
    acmecpp::fuzz::require(text.find('\0') == std::string_view::npos,
                           "parse_acme_json accepted a NUL byte");
    acmecpp::fuzz::require(Json::parse(acmecpp::store::serialize_acme_json(parsed)) == parsed,
                           "writing and reading back changes the document");
  } catch (const acmecpp::Error&) {
  }
  std::optional<acmecpp::store::AcmeJsonDocument> document;
  try {
    document.emplace(text, "acme.json");
    read_everything(*document);
  } catch (const acmecpp::Error&) {
    return 0;
  }
  // Every entry and account written back as read, then the written text read again: what the
  // store writes, it must read.
  for (const auto& resolver : document->resolvers()) {
    for (const auto& record : document->certificates(resolver)) {
      if (!record.main.empty()) document->set_certificate(resolver, record);
    }
    if (const auto account = document->account(resolver)) document->set_account(resolver, *account);
  }
  try {
    acmecpp::store::AcmeJsonDocument again(document->text(), "acme.json");
    read_everything(again);
  } catch (const acmecpp::Error& error) {
    std::fprintf(stderr, "%s\n", error.what());
    acmecpp::fuzz::require(false, "the store cannot read what it wrote");
  }
  return 0;
}
