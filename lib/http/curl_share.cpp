// SPDX-License-Identifier: Apache-2.0
#include "http/curl_share.hpp"

#include <string>

#include "acmecpp/error.hpp"

namespace acmecpp::http {

namespace {

void check(CURLSHcode code, const char* what) {
  if (code != CURLSHE_OK) {
    throw Error(ErrorKind::network, std::string("cannot set up libcurl share (") + what +
                                        "): " + curl_share_strerror(code));
  }
}

}  // namespace

CurlShare::CurlShare() {
  ensure_curl_initialized();
  share_.reset(curl_share_init());
  if (!share_) throw Error(ErrorKind::network, "cannot create a libcurl share handle");
  check(curl_share_setopt(share_.get(), CURLSHOPT_USERDATA, this), "user data");
  check(curl_share_setopt(share_.get(), CURLSHOPT_LOCKFUNC, &CurlShare::lock), "lock function");
  check(curl_share_setopt(share_.get(), CURLSHOPT_UNLOCKFUNC, &CurlShare::unlock),
        "unlock function");
  check(curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS), "DNS cache");
  check(curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION),
        "TLS sessions");
}

std::mutex& CurlShare::mutex_for(curl_lock_data data) noexcept {
  const auto index = static_cast<std::size_t>(data);
  // libcurl only passes values below CURL_LOCK_DATA_LAST; fall back to slot 0 rather than
  // index out of bounds should a future version pass something else.
  return mutexes_[index < mutexes_.size() ? index : 0];
}

void CurlShare::lock(CURL*, curl_lock_data data, curl_lock_access, void* self) noexcept {
  static_cast<CurlShare*>(self)->mutex_for(data).lock();
}

void CurlShare::unlock(CURL*, curl_lock_data data, void* self) noexcept {
  static_cast<CurlShare*>(self)->mutex_for(data).unlock();
}

}  // namespace acmecpp::http
