// SPDX-License-Identifier: Apache-2.0
#include "acme/directory_cache.hpp"

namespace acmecpp::acme {
namespace {

std::int64_t to_unix_seconds(DirectoryCache::Time time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

DirectoryCache::DirectoryCache(ClientOptions::DirectoryCacheIo io, std::chrono::seconds max_age)
    : io_(std::move(io)), max_age_(max_age) {}

std::optional<nlohmann::json> DirectoryCache::load(const std::string& directory_url,
                                                   Time now) const {
  if (!io_.load) return std::nullopt;
  std::optional<std::string> text;
  try {
    text = io_.load();
  } catch (...) {
    return std::nullopt;  // a cache never fails its user
  }
  if (!text) return std::nullopt;
  const auto entry = nlohmann::json::parse(*text, nullptr, false);
  if (!entry.is_object()) return std::nullopt;
  const auto url = entry.find("directory_url");
  const auto fetched_at = entry.find("fetched_at");
  const auto body = entry.find("directory");
  if (url == entry.end() || !url->is_string() || *url != directory_url) return std::nullopt;
  if (fetched_at == entry.end() || !fetched_at->is_number_integer()) return std::nullopt;
  if (body == entry.end() || !body->is_object()) return std::nullopt;
  const auto age = to_unix_seconds(now) - fetched_at->get<std::int64_t>();
  // A negative age means the clock went back (or the file came from elsewhere): not trusted.
  if (age < 0 || age >= max_age_.count()) return std::nullopt;
  return *body;
}

void DirectoryCache::save(const std::string& directory_url, const nlohmann::json& body,
                          Time now) const noexcept {
  try {
    const nlohmann::json entry = {{"directory_url", directory_url},
                                  {"fetched_at", to_unix_seconds(now)},
                                  {"directory", body}};
    if (io_.save) io_.save(entry.dump() + "\n");
  } catch (...) {
    // Error(storage) or out of memory: the cache is just not written this time.
  }
}

}  // namespace acmecpp::acme
