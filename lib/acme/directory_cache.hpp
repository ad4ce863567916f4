// SPDX-License-Identifier: Apache-2.0
#pragma once
// The server's directory kept between processes (in the store's cache area, through the
// functions of ClientOptions::DirectoryCacheIo). A short-lived process (one acmectl
// run) then starts with the directory it needs instead of a request for it. The directory rarely
// changes, and a stale copy is harmless: entries older than the given age or for another
// directory URL are ignored, and the client fetches the directory again when one of its URLs
// fails. A cache never fails its user: unreadable or corrupt entries count as absent, and an
// entry that cannot be written is simply not written.

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "acmecpp/acme_client.hpp"

namespace acmecpp::acme {

class DirectoryCache {
 public:
  using Time = std::chrono::system_clock::time_point;

  /// @param io      where the entry is read from and written to
  /// @param max_age how long a fetched directory is trusted
  DirectoryCache(ClientOptions::DirectoryCacheIo io, std::chrono::seconds max_age);

  /// The directory body saved for `directory_url` at most max_age before `now`; nullopt when
  /// there is none (or the entry is missing, unreadable, corrupt, for another URL, too old, or
  /// from the future).
  std::optional<nlohmann::json> load(const std::string& directory_url, Time now) const;

  /// Replaces the entry with this body.
  void save(const std::string& directory_url, const nlohmann::json& body, Time now) const noexcept;

 private:
  ClientOptions::DirectoryCacheIo io_;
  std::chrono::seconds max_age_;
};

}  // namespace acmecpp::acme
