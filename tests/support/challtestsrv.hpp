// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fake DNS data for a test: the management API of pebble-challtestsrv (PebbleEnv starts one).

#include <string>
#include <vector>

namespace acmecpp::testing {

class ChallTestSrv {
 public:
  /// `management_url` as PebbleEnv::challtestsrv_management_url() gives it.
  explicit ChallTestSrv(std::string management_url);

  /// Every method throws acmecpp::Error(network) naming the call and host when the server does
  /// not answer 200. Host names get a trailing dot added when they lack one.
  void set_txt(const std::string& host, const std::string& value) const;
  void clear_txt(const std::string& host) const;
  void add_a(const std::string& host, const std::vector<std::string>& addresses) const;
  void clear_a(const std::string& host) const;
  /// AAAA records (e.g. "::1": Pebble's VA then dials the name over IPv6).
  void add_aaaa(const std::string& host, const std::vector<std::string>& addresses) const;

 private:
  void post(const std::string& path, const std::string& host, const std::string& body) const;

  std::string management_url_;
};

}  // namespace acmecpp::testing
