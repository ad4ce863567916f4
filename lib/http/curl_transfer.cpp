// SPDX-License-Identifier: Apache-2.0
#include "http/curl_transfer.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include "acmecpp/error.hpp"
#include "core/ascii.hpp"
#include "http/response_collector.hpp"

namespace acmecpp::http {

const char* to_string(Method method) noexcept {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::head:
      return "HEAD";
    case Method::post:
      return "POST";
    case Method::del:
      return "DELETE";
  }
  return "?";
}

namespace {

/// "POST https://...", for messages.
std::string describe(const Request& request) {
  return std::string(to_string(request.method)) + " " + request.url;
}

template <typename Value>
void set_option(CURL* easy, CURLoption option, Value value) {
  const CURLcode code = curl_easy_setopt(easy, option, value);
  if (code != CURLE_OK) {
    throw Error(ErrorKind::network, std::string("cannot configure libcurl (option ") +
                                        std::to_string(static_cast<int>(option)) +
                                        "): " + curl_easy_strerror(code));
  }
}

bool has_header(const Headers& headers, std::string_view name) {
  // Header names compare case-insensitively (RFC 9110 section 5.1).
  return std::any_of(headers.begin(), headers.end(), [&](const auto& header) {
    return core::equal_ignoring_ascii_case(header.first, name);
  });
}

void append(CurlSlistPtr& list, const std::string& line) {
  curl_slist* extended = curl_slist_append(list.get(), line.c_str());
  if (!extended) throw Error(ErrorKind::network, "out of memory building request headers");
  list.release();  // now owned through `extended`, whose head is the same list
  list.reset(extended);
}

/// The caller's headers, plus two "remove this header" entries (a name with nothing after the
/// colon) unless the caller set them: curl's default form Content-Type would misdescribe a JWS
/// body, and "Expect: 100-continue" costs a round trip (or a one-second stall) on larger POSTs.
CurlSlistPtr build_header_list(const Headers& headers) {
  CurlSlistPtr list;
  for (const auto& [name, value] : headers) {
    // "Name;" is curl's way to send a header with an empty value ("Name:" would remove it).
    append(list, value.empty() ? name + ";" : name + ": " + value);
  }
  if (!has_header(headers, "Content-Type")) append(list, "Content-Type:");
  if (!has_header(headers, "Expect")) append(list, "Expect:");
  return list;
}

void configure_common(CURL* easy, const TransferSettings& settings, const Request& request) {
  const Options& options = settings.options;
  set_option(easy, CURLOPT_URL, request.url.c_str());
  // URLs come from the ACME server's directory: never let them reach file://, gopher:// etc.
  set_option(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  set_option(easy, CURLOPT_FOLLOWLOCATION, 0L);  // ACME clients look at 3xx themselves
  set_option(easy, CURLOPT_NOSIGNAL, 1L);        // required when used from several threads
  set_option(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  set_option(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  set_option(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  if (!options.ca_bundle.empty()) set_option(easy, CURLOPT_CAINFO, options.ca_bundle.c_str());
  set_option(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  // Lets curl refuse early when Content-Length announces too much; the write callback enforces
  // the limit for chunked or lying responses. Not for HEAD: its Content-Length describes a body
  // that is never sent.
  if (request.method != Method::head) {
    set_option(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
  }
  if (settings.share) set_option(easy, CURLOPT_SHARE, settings.share);
}

void configure_method(CURL* easy, const Request& request) {
  switch (request.method) {
    case Method::get:
      set_option(easy, CURLOPT_HTTPGET, 1L);
      break;
    case Method::head:
      set_option(easy, CURLOPT_NOBODY, 1L);
      break;
    case Method::post:
      set_option(easy, CURLOPT_POST, 1L);
      set_option(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      set_option(easy, CURLOPT_POSTFIELDS, request.body.data());
      break;
    case Method::del:
      set_option(easy, CURLOPT_CUSTOMREQUEST, "DELETE");
      break;
  }
}

void configure_receiving(CURL* easy, ResponseCollector& collector, char* error_buffer) {
  set_option(easy, CURLOPT_ERRORBUFFER, error_buffer);
  set_option(easy, CURLOPT_HEADERFUNCTION, &ResponseCollector::on_header);
  set_option(easy, CURLOPT_HEADERDATA, static_cast<void*>(&collector));
  set_option(easy, CURLOPT_WRITEFUNCTION, &ResponseCollector::on_body);
  set_option(easy, CURLOPT_WRITEDATA, static_cast<void*>(&collector));
}

/// CURLOPT_XFERINFOFUNCTION: a non-zero return makes libcurl abort the transfer
/// (CURLE_ABORTED_BY_CALLBACK) once stop is requested.
int abort_when_stopped(void* token, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
  return static_cast<const StopToken*>(token)->stop_requested() ? 1 : 0;
}

void configure_stopping(CURL* easy, const StopToken& stop) {
  if (!stop.stop_possible()) return;
  set_option(easy, CURLOPT_XFERINFOFUNCTION, &abort_when_stopped);
  set_option(easy, CURLOPT_XFERINFODATA, static_cast<void*>(const_cast<StopToken*>(&stop)));
  set_option(easy, CURLOPT_NOPROGRESS, 0L);
}

void check_multi(CURLMcode code, const char* what) {
  if (code != CURLM_OK) {
    throw Error(ErrorKind::network,
                std::string("libcurl ") + what + " failed: " + curl_multi_strerror(code));
  }
}

/// The easy handle is on the multi handle for one transfer; removing it leaves its connection in
/// the multi handle's cache for the next one.
class Attached {
 public:
  Attached(CURLM* multi, CURL* easy) : multi_(multi), easy_(easy) {
    check_multi(curl_multi_add_handle(multi, easy), "add handle");
  }
  ~Attached() { curl_multi_remove_handle(multi_, easy_); }
  Attached(const Attached&) = delete;
  Attached& operator=(const Attached&) = delete;

 private:
  CURLM* multi_;
  CURL* easy_;
};

/// Drives the transfer until libcurl reports it done and returns its result. A stop request
/// wakes the wait (curl_multi_wakeup) and ends it with Error(cancelled).
CURLcode run_until_done(CURLM* multi, CURL* easy, const Request& request, const StopToken& stop) {
  const StopCallback wake(stop, [multi] { curl_multi_wakeup(multi); });
  for (;;) {
    int running = 0;
    check_multi(curl_multi_perform(multi, &running), "transfer");
    int queued = 0;
    while (const CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == easy) {
        return message->data.result;
      }
    }
    stop.throw_if_stopped(describe(request));
    // libcurl shortens the wait to its own next timeout; the limit only bounds a quiet wait.
    check_multi(curl_multi_poll(multi, nullptr, 0, 1000, nullptr), "poll");
  }
}

/// Resets the handle when the transfer is over, so that it keeps no pointer to this call's
/// buffers while it waits in the pool (reset keeps the live connections).
struct ResetWhenDone {
  CURL* easy;
  ~ResetWhenDone() { curl_easy_reset(easy); }
};

void count_new_connections(CURL* easy, const TransferSettings& settings) {
  long connects = 0;
  if (settings.connections_opened &&
      curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0) {
    *settings.connections_opened += static_cast<std::size_t>(connects);
  }
}

[[noreturn]] void throw_transfer_failure(const Request& request, CURLcode code,
                                         const ResponseCollector& collector,
                                         const TransferSettings& settings, const char* error_buffer,
                                         const StopToken& stop) {
  if (collector.callback_failure()) std::rethrow_exception(collector.callback_failure());
  stop.throw_if_stopped(describe(request));  // aborted by abort_when_stopped()
  if (collector.body_too_large() || code == CURLE_FILESIZE_EXCEEDED) {
    throw Error(ErrorKind::network, "response from " + request.url + " exceeds " +
                                        std::to_string(settings.options.max_body_bytes) + " bytes");
  }
  const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  const std::string message = describe(request) + " failed: " + detail;
  // Before the request's first byte went out; a timeout or a reset later may come after the
  // server acted on it.
  if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT ||
      code == CURLE_SSL_CONNECT_ERROR) {
    throw NotSentError(message);
  }
  throw Error(ErrorKind::network, message);
}

}  // namespace

Response perform_transfer(CURL* easy, CURLM* multi, const TransferSettings& settings,
                          const Request& request, const StopToken& stop) {
  stop.throw_if_stopped(describe(request));
  ResetWhenDone reset_when_done{easy};
  curl_easy_reset(easy);  // nothing left over from the previous request on this handle

  ResponseCollector collector(settings.options.max_body_bytes);
  char error_buffer[CURL_ERROR_SIZE] = {};
  const CurlSlistPtr header_list = build_header_list(request.headers);
  configure_common(easy, settings, request);
  configure_method(easy, request);
  configure_receiving(easy, collector, error_buffer);
  set_option(easy, CURLOPT_HTTPHEADER, header_list.get());
  configure_stopping(easy, stop);

  CURLcode code = CURLE_OK;
  {
    const Attached attached(multi, easy);
    code = run_until_done(multi, easy, request, stop);
  }
  count_new_connections(easy, settings);
  if (code != CURLE_OK) {
    throw_transfer_failure(request, code, collector, settings, error_buffer, stop);
  }

  Response& response = collector.response();
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  return std::move(response);
}

}  // namespace acmecpp::http
