// SPDX-License-Identifier: Apache-2.0
#pragma once
// A stand-in for the slice of Cloudflare's API v4 the DNS provider uses, on 127.0.0.1.
//
// Why a stand-in: tests may only use loopback, and the real API needs an account, a zone and a
// token. This one is written from Cloudflare's API documentation: the same paths, the same
// envelope {"success", "errors": [{"code", "message"}], "messages", "result"}, bearer tokens
// (a wrong one gets 403 with code 9109 "Invalid access token", a malformed header 400 with code
// 6003 and an error chain, as the real API answers), and 404 with code 81044 for deleting a
// record that does not exist. It serves, below /client/v4 as the real API does:
//   GET    /zones?name=N                          zones named N (any status)
//   GET    /zones/{zone}/dns_records?type=&name=&content=
//   POST   /zones/{zone}/dns_records              {"type","name","content","ttl"}
//   DELETE /zones/{zone}/dns_records/{record}

#include <httplib.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "transport_test_support.hpp"

namespace acmecpp::test {

struct CloudflareZone {
  std::string id;
  std::string name;
  std::string status = "active";
};

struct CloudflareRecord {
  std::string id;
  std::string zone_id;
  std::string type;
  std::string name;
  std::string content;
  long ttl = 0;
};

class CloudflareStandIn {
 public:
  explicit CloudflareStandIn(std::string token) : token_(std::move(token)) {
    auto& server = http_.server();
    server.Get(kRoot + std::string("/zones"), [this](const auto& request, auto& response) {
      serve(request, response, [&] { return list_zones(request); });
    });
    server.Get(kRoot + std::string(R"(/zones/([^/]+)/dns_records)"),
               [this](const auto& request, auto& response) {
                 serve(request, response, [&] { return list_records(request); });
               });
    server.Post(kRoot + std::string(R"(/zones/([^/]+)/dns_records)"),
                [this](const auto& request, auto& response) {
                  serve(request, response, [&] { return create_record(request); });
                });
    server.Delete(kRoot + std::string(R"(/zones/([^/]+)/dns_records/([^/]+))"),
                  [this](const auto& request, auto& response) {
                    serve(request, response, [&] { return delete_record(request); });
                  });
    http_.start();
  }

  /// What CloudflareOptions::base_url is set to, e.g. "http://127.0.0.1:41234/client/v4".
  std::string base_url() const { return http_.url(kRoot); }

  void add_zone(CloudflareZone zone) {
    const std::lock_guard<std::mutex> lock(mutex_);
    zones_.push_back(std::move(zone));
  }

  /// A record put there by someone else (the dashboard, another client).
  std::string add_record(CloudflareRecord record) {
    const std::lock_guard<std::mutex> lock(mutex_);
    record.id = next_id();
    records_[record.id] = record;
    return record.id;
  }

  void remove_record(const std::string& id) {
    const std::lock_guard<std::mutex> lock(mutex_);
    records_.erase(id);
  }

  std::vector<CloudflareRecord> records() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::vector<CloudflareRecord> all;
    for (const auto& [id, record] : records_) all.push_back(record);
    return all;
  }

  /// The "name" of every GET /zones, in order.
  std::vector<std::string> zone_queries() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return zone_queries_;
  }

  /// From now on every error message repeats the Authorization header it received (to check
  /// that the client scrubs its token from what a server sends back).
  void echo_authorization_in_errors() {
    const std::lock_guard<std::mutex> lock(mutex_);
    echo_authorization_ = true;
  }

 private:
  static constexpr const char* kRoot = "/client/v4";

  /// What a handler decided: HTTP status and the envelope's result, or Cloudflare errors.
  struct Answer {
    int status = 200;
    nlohmann::json result;
    nlohmann::json errors = nlohmann::json::array();
  };

  static Answer error(int status, int code, const std::string& message) {
    Answer answer;
    answer.status = status;
    answer.errors.push_back({{"code", code}, {"message", message}});
    return answer;
  }

  template <typename Handler>
  void serve(const httplib::Request& request, httplib::Response& response, Handler handler) {
    const std::lock_guard<std::mutex> lock(mutex_);
    Answer answer = authorized(request);
    if (answer.errors.empty()) answer = handler();
    if (!answer.errors.empty() && echo_authorization_) {
      answer.errors[0]["message"] = answer.errors[0]["message"].template get<std::string>() +
                                    " (got " + request.get_header_value("Authorization") + ")";
    }
    const bool success = answer.errors.empty();
    const nlohmann::json envelope = {{"success", success},
                                     {"errors", answer.errors},
                                     {"messages", nlohmann::json::array()},
                                     {"result", success ? answer.result : nullptr}};
    response.status = answer.status;
    response.set_content(envelope.dump(), "application/json");
  }

  Answer authorized(const httplib::Request& request) const {
    const std::string header = request.get_header_value("Authorization");
    if (header.rfind("Bearer ", 0) != 0 || header.find(' ', 7) != std::string::npos) {
      Answer answer = error(400, 6003, "Invalid request headers");
      answer.errors[0]["error_chain"] = {
          {{"code", 6111}, {"message", "Invalid format for Authorization header"}}};
      return answer;
    }
    if (header != "Bearer " + token_) return error(403, 9109, "Invalid access token");
    return {};
  }

  Answer list_zones(const httplib::Request& request) {
    const std::string name = request.get_param_value("name");
    zone_queries_.push_back(name);
    Answer answer;
    answer.result = nlohmann::json::array();
    for (const CloudflareZone& zone : zones_) {
      if (zone.name == name) {
        answer.result.push_back({{"id", zone.id}, {"name", zone.name}, {"status", zone.status}});
      }
    }
    return answer;
  }

  bool zone_exists(const std::string& id) const {
    for (const CloudflareZone& zone : zones_) {
      if (zone.id == id) return true;
    }
    return false;
  }

  static nlohmann::json to_json(const CloudflareRecord& record) {
    return {{"id", record.id},     {"zone_id", record.zone_id}, {"type", record.type},
            {"name", record.name}, {"content", record.content}, {"ttl", record.ttl},
            {"proxied", false}};
  }

  Answer list_records(const httplib::Request& request) {
    const std::string zone_id = request.matches[1];
    if (!zone_exists(zone_id)) return error(404, 7003, "Could not route to /zones/" + zone_id);
    Answer answer;
    answer.result = nlohmann::json::array();
    for (const auto& [id, record] : records_) {
      if (record.zone_id != zone_id) continue;
      if (request.has_param("type") && request.get_param_value("type") != record.type) continue;
      if (request.has_param("name") && request.get_param_value("name") != record.name) continue;
      if (request.has_param("content") && request.get_param_value("content") != record.content) {
        continue;
      }
      answer.result.push_back(to_json(record));
    }
    return answer;
  }

  Answer create_record(const httplib::Request& request) {
    const std::string zone_id = request.matches[1];
    if (!zone_exists(zone_id)) return error(404, 7003, "Could not route to /zones/" + zone_id);
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("type") || !body.contains("name") ||
        !body.contains("content") || !body.contains("ttl")) {
      return error(400, 9000, "DNS record body incomplete");
    }
    CloudflareRecord record{next_id(),
                            zone_id,
                            body["type"].get<std::string>(),
                            body["name"].get<std::string>(),
                            body["content"].get<std::string>(),
                            body["ttl"].get<long>()};
    records_[record.id] = record;
    Answer answer;
    answer.result = to_json(record);
    return answer;
  }

  Answer delete_record(const httplib::Request& request) {
    const std::string zone_id = request.matches[1];
    const std::string record_id = request.matches[2];
    const auto found = records_.find(record_id);
    if (found == records_.end() || found->second.zone_id != zone_id) {
      return error(404, 81044, "Record does not exist.");
    }
    records_.erase(found);
    Answer answer;
    answer.result = {{"id", record_id}};
    return answer;
  }

  std::string next_id() { return "rec" + std::to_string(++last_id_); }

  const std::string token_;
  mutable std::mutex mutex_;
  std::vector<CloudflareZone> zones_;
  std::map<std::string, CloudflareRecord> records_;
  std::vector<std::string> zone_queries_;
  bool echo_authorization_ = false;
  int last_id_ = 0;
  LocalHttpServer http_;  // last: stopped first, before the state its handlers use goes away
};

}  // namespace acmecpp::test
