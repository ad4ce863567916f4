// SPDX-License-Identifier: Apache-2.0
#include "http/http_client.hpp"

#include "acmecpp/error.hpp"

namespace acmecpp::http {

Response HttpClient::del(const std::string& url, const Headers& /*headers*/,
                         const StopToken& /*stop*/) {
  throw Error(ErrorKind::config, "this HTTP client cannot send DELETE (to " + url + ")");
}

}  // namespace acmecpp::http
