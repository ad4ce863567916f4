// SPDX-License-Identifier: Apache-2.0
// Cloudflare as a DnsProvider: finds the zone a record name belongs to, creates one TXT record
// per present() and deletes exactly that record on cleanup(), so that two values at one name
// (a wildcard and its apex) never disturb each other.

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"
#include "challenge/dns01/providers/cloudflare_api.hpp"
#include "core/ascii.hpp"
#include "http/http_client.hpp"

namespace acmecpp {
namespace {

using dns01::cloudflare::Api;
using dns01::cloudflare::ApiError;
using dns01::cloudflare::url_escape;

/// A TXT record this provider knows by id.
struct RecordRef {
  std::string zone_id;
  std::string record_id;
};

/// Cloudflare names records without the root's trailing dot.
std::string relative(const std::string& fqdn) {
  return (!fqdn.empty() && fqdn.back() == '.') ? fqdn.substr(0, fqdn.size() - 1) : fqdn;
}

/// Where the zone of `name` may start, longest first. Single labels are left out: no Cloudflare
/// zone is a top-level domain, and every candidate costs a request.
std::vector<std::string> zone_candidates(const std::string& name) {
  std::vector<std::string> candidates;
  for (std::size_t start = 0; start < name.size();) {
    const std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) break;
    candidates.push_back(name.substr(start));
    start = dot + 1;
  }
  return candidates;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

/// A string member of an API object, or ChallengeError saying what was missing.
std::string string_member(const nlohmann::json& object, const char* member,
                          const std::string& doing) {
  if (!object.is_object() || !object.contains(member) || !object[member].is_string()) {
    throw ChallengeError("cloudflare: " + doing + ": the answer has no \"" + member +
                         "\" string: " + object.dump().substr(0, 200));
  }
  return object[member].get<std::string>();
}

const nlohmann::json& array_result(const nlohmann::json& result, const std::string& doing) {
  if (!result.is_array()) {
    throw ChallengeError("cloudflare: " + doing + ": expected a list as result, got " +
                         result.dump().substr(0, 200));
  }
  return result;
}

/// Cloudflare may hand TXT content back in the quoted presentation form.
bool same_content(const std::string& content, const std::string& value) {
  return content == value || content == "\"" + value + "\"";
}

CloudflareOptions checked(CloudflareOptions options) {
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  if (options.api_token.empty()) {
    throw Error(ErrorKind::config, "Cloudflare DNS provider: no API token given");
  }
  if (options.base_url.empty()) {
    throw Error(ErrorKind::config, "Cloudflare DNS provider: no API base URL given");
  }
  if (options.ttl.count() <= 0) {
    throw Error(ErrorKind::config, "Cloudflare DNS provider: TTL must be positive, got " +
                                       std::to_string(options.ttl.count()) + " s");
  }
  if (options.zone_id && options.zone_id->empty()) {
    throw Error(ErrorKind::config, "Cloudflare DNS provider: the zone id given is empty");
  }
  return options;
}

http::Options transport_options(const CloudflareOptions& options) {
  http::Options transport;
  transport.ca_bundle = options.ca_bundle;
  return transport;
}

class CloudflareProvider final : public DnsProvider {
 public:
  explicit CloudflareProvider(CloudflareOptions options)
      : options_(checked(std::move(options))),
        api_(http::make_curl_http_client(transport_options(options_)), options_.base_url,
             options_.api_token) {}

  std::string name() const override { return "cloudflare"; }

  void present(const std::string& fqdn, const std::string& value) override {
    const std::string name = relative(fqdn);
    const std::string zone_id = zone_of(name);
    const std::string doing = "creating TXT record at " + name;
    const nlohmann::json body = {
        {"type", "TXT"}, {"name", name}, {"content", value}, {"ttl", options_.ttl.count()}};
    const nlohmann::json record =
        api_.post("/zones/" + url_escape(zone_id) + "/dns_records", body, doing);
    const std::string record_id = string_member(record, "id", doing);
    const std::lock_guard<std::mutex> lock(mutex_);
    created_.emplace(std::make_pair(name, value), RecordRef{zone_id, record_id});
  }

  void cleanup(const std::string& fqdn, const std::string& value) override {
    const std::string name = relative(fqdn);
    std::optional<RecordRef> record = take_created(name, value);
    if (!record) record = find_record(name, value);
    if (record) delete_record(*record, name);
  }

  std::optional<std::chrono::seconds> propagation_timeout() const override {
    return options_.propagation_timeout;
  }

  std::optional<std::chrono::milliseconds> polling_interval() const override {
    return options_.polling_interval;
  }

 private:
  std::optional<RecordRef> take_created(const std::string& name, const std::string& value) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = created_.find(std::make_pair(name, value));
    if (found == created_.end()) return std::nullopt;
    RecordRef record = found->second;
    created_.erase(found);
    return record;
  }

  /// A record with this value that another run (or another program) created; nullopt if none.
  std::optional<RecordRef> find_record(const std::string& name, const std::string& value) {
    const std::string zone_id = zone_of(name);
    const std::string doing = "looking for the TXT record at " + name;
    const nlohmann::json records = api_.get("/zones/" + url_escape(zone_id) +
                                                "/dns_records?type=TXT&name=" + url_escape(name) +
                                                "&content=" + url_escape(value),
                                            doing);
    for (const nlohmann::json& record : array_result(records, doing)) {
      if (same_content(record.value("content", std::string()), value)) {
        return RecordRef{zone_id, string_member(record, "id", doing)};
      }
    }
    return std::nullopt;
  }

  void delete_record(const RecordRef& record, const std::string& name) {
    try {
      api_.del(
          "/zones/" + url_escape(record.zone_id) + "/dns_records/" + url_escape(record.record_id),
          "deleting TXT record " + record.record_id + " at " + name);
    } catch (const ApiError& error) {
      // Already gone (removed by hand, or an earlier cleanup whose answer got lost): done.
      if (error.first_code() != dns01::cloudflare::kRecordDoesNotExist) throw;
    }
  }

  std::string zone_of(const std::string& name) {
    if (options_.zone_id) return *options_.zone_id;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      const auto cached = zone_by_name_.find(name);
      if (cached != zone_by_name_.end()) return cached->second;
    }
    // Not under the lock: two threads may look up the same name once each, which is harmless.
    const std::string zone_id = find_zone(name);
    const std::lock_guard<std::mutex> lock(mutex_);
    zone_by_name_.emplace(name, zone_id);
    return zone_id;
  }

  std::string find_zone(const std::string& name) const {
    const std::string doing = "looking up the zone of " + name;
    const std::vector<std::string> candidates = zone_candidates(name);
    std::vector<std::string> inactive;
    for (const std::string& candidate : candidates) {
      const nlohmann::json zones = api_.get("/zones?name=" + url_escape(candidate), doing);
      for (const nlohmann::json& zone : array_result(zones, doing)) {
        if (!core::equal_ignoring_ascii_case(zone.value("name", std::string()), candidate))
          continue;
        const std::string status = zone.value("status", std::string());
        if (status == "active") return string_member(zone, "id", doing);
        inactive.push_back(candidate + " (" + status + ")");
      }
    }
    throw ChallengeError("cloudflare: no active zone for " + name +
                         " among the zones the API token can see (asked for " + joined(candidates) +
                         ")" + (inactive.empty() ? "" : "; not active: " + joined(inactive)));
  }

  const CloudflareOptions options_;
  const Api api_;
  std::mutex mutex_;
  /// Records created by present(), by (name, value); a multimap because a value may be
  /// presented twice and then needs two cleanups.
  std::multimap<std::pair<std::string, std::string>, RecordRef> created_;
  std::map<std::string, std::string> zone_by_name_;
};

}  // namespace

std::shared_ptr<DnsProvider> make_cloudflare_provider(CloudflareOptions options) {
  return std::make_shared<CloudflareProvider>(std::move(options));
}

}  // namespace acmecpp
