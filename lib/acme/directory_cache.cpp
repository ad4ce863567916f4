#include "acme/directory_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "core/unique_fd.hpp"

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

bool write_all(int fd, const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) return false;
    written += std::size_t(n);
  }
  return true;
}

/// A temporary name beside the cache file that no other writer uses at the same time.
std::string temporary_name(const std::string& path) {
  std::random_device random;
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random());
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
    const std::string temporary = temporary_name(path_);
    // The directory is public information: readable like any cache, no secret in it.
    core::UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) return;
    const bool written = write_all(fd.get(), entry.dump() + "\n") && ::close(fd.release()) == 0;
    if (!written || std::rename(temporary.c_str(), path_.c_str()) != 0) {
      ::unlink(temporary.c_str());
    }
  } catch (...) {
    // Out of memory or a random_device failure: the cache is just not written this time.
  }
}

}  // namespace acmecpp::acme
