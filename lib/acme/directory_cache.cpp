#include "acme/directory_cache.hpp"

#include <fstream>
#include <sstream>

#include "core/atomic_write.hpp"

namespace acmecpp::acme {
namespace {

std::int64_t to_unix_seconds(DirectoryCache::Time time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return std::nullopt;
  return text.str();
}

}  // namespace

DirectoryCache::DirectoryCache(std::string path, std::chrono::seconds max_age)
    : path_(std::move(path)), max_age_(max_age) {}

std::optional<nlohmann::json> DirectoryCache::load(const std::string& directory_url,
                                                   Time now) const {
  const auto text = read_file(path_);
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
    // Public information, readable like any cache. Not durable: after a power loss the file may
    // be empty or partial, which load() takes for no entry (one request for the directory),
    // while two fsyncs on every save would slow each run that fetched the directory.
    core::write_file_atomically(path_, entry.dump() + "\n",
                                {0644, core::TempFileName::hidden, /*durable=*/false});
  } catch (...) {
    // Error(storage) or out of memory: the cache is just not written this time.
  }
}

}  // namespace acmecpp::acme
