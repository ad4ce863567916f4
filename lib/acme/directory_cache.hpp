#pragma once
// The server's directory kept in a file between processes. A short-lived process (one acmectl
// run) then starts with the directory it needs instead of a request for it. The directory rarely
// changes, and a stale copy is harmless: entries older than the given age or for another
// directory URL are ignored, and the client fetches the directory again when one of its URLs
// fails. A cache never fails its user: unreadable or corrupt files count as absent, and a file
// that cannot be written is simply not written.

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace acmecpp::acme {

class DirectoryCache {
 public:
  using Time = std::chrono::system_clock::time_point;

  /// @param path    the cache file; its directory must exist
  /// @param max_age how long a fetched directory is trusted
  DirectoryCache(std::string path, std::chrono::seconds max_age);

  /// The directory body saved for `directory_url` at most max_age before `now`; nullopt when
  /// there is none (or the file is missing, unreadable, corrupt, for another URL, too old, or
  /// from the future).
  std::optional<nlohmann::json> load(const std::string& directory_url, Time now) const;

  /// Replaces the file (atomically: readers see the old or the new entry) with this body.
  void save(const std::string& directory_url, const nlohmann::json& body, Time now) const noexcept;

 private:
  std::string path_;
  std::chrono::seconds max_age_;
};

}  // namespace acmecpp::acme
