// SPDX-License-Identifier: Apache-2.0
#include "support/challtestsrv.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "acmecpp/error.hpp"

namespace acmecpp::testing {
namespace {

std::string fully_qualified(const std::string& host) {
  return (!host.empty() && host.back() == '.') ? host : host + ".";
}

}  // namespace

ChallTestSrv::ChallTestSrv(std::string management_url)
    : management_url_(std::move(management_url)) {}

void ChallTestSrv::set_txt(const std::string& host, const std::string& value) const {
  post("/set-txt", host, nlohmann::json{{"host", fully_qualified(host)}, {"value", value}}.dump());
}

void ChallTestSrv::clear_txt(const std::string& host) const {
  post("/clear-txt", host, nlohmann::json{{"host", fully_qualified(host)}}.dump());
}

void ChallTestSrv::add_a(const std::string& host, const std::vector<std::string>& addresses) const {
  post("/add-a", host,
       nlohmann::json{{"host", fully_qualified(host)}, {"addresses", addresses}}.dump());
}

void ChallTestSrv::add_aaaa(const std::string& host,
                            const std::vector<std::string>& addresses) const {
  post("/add-aaaa", host,
       nlohmann::json{{"host", fully_qualified(host)}, {"addresses", addresses}}.dump());
}

void ChallTestSrv::clear_a(const std::string& host) const {
  post("/clear-a", host, nlohmann::json{{"host", fully_qualified(host)}}.dump());
}

void ChallTestSrv::post(const std::string& path, const std::string& host,
                        const std::string& body) const {
  httplib::Client client(management_url_);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  const auto response = client.Post(path.c_str(), body, "application/json");
  if (!response) {
    throw Error(ErrorKind::network, "challtestsrv " + path + " for " + host + " at " +
                                        management_url_ + ": " +
                                        httplib::to_string(response.error()));
  }
  if (response->status != 200) {
    throw Error(ErrorKind::network, "challtestsrv " + path + " for " + host + " answered " +
                                        std::to_string(response->status) + ": " + response->body);
  }
}

}  // namespace acmecpp::testing
