// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Figures about a CertManager (or a whole program running several) for monitoring: the stored
/// certificates and their expiry, issuances and renewals by result, the last renewal check and
/// the requests sent to the ACME server. A Metrics value is a plain snapshot;
/// render_prometheus() turns it into the Prometheus text exposition format (version 0.0.4), and
/// MetricsServer serves that text over HTTP for Prometheus to scrape.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/api.hpp"

namespace acmecpp {

/// One stored certificate.
struct ACMECPP_API CertificateMetrics {
  std::string resolver;  ///< the store section (Traefik's resolver name)
  std::string name;      ///< the certificate's main name
  std::chrono::system_clock::time_point not_after;
  /// The earliest next renewal attempt the CA allows (RenewalState::retry_not_before: the
  /// Retry-After of a rate limit, say); unset when it asked for none.
  std::optional<std::chrono::system_clock::time_point> retry_not_before;
};

/// How many operations of one kind succeeded and failed.
struct ACMECPP_API ResultCounts {
  std::size_t success = 0;
  std::size_t failure = 0;
};

/// A snapshot; every count is cumulative since the counting object was created.
struct ACMECPP_API Metrics {
  std::vector<CertificateMetrics> certificates;  ///< in the order of the store
  ResultCounts issuances;                        ///< obtain(): new certificates
  ResultCounts renewals;                         ///< renew(): replaced certificates
  /// When the renewal of a certificate was last checked; unset before the first check.
  std::optional<std::chrono::system_clock::time_point> last_check;
  /// Requests to the ACME server by result: "1xx" ... "5xx" (the HTTP status class),
  /// "network_error" (no response: connection refused, timeout, TLS failure, ...) and "other"
  /// (a status outside 100-599), as in acme::RequestStats::by_result.
  std::map<std::string, std::size_t> acme_requests;
  /// Requests sent again with a fresh nonce after the server answered badNonce.
  std::size_t bad_nonce_retries = 0;
  /// Requests sent again after a transient failure (429, 5xx, a failed connection).
  std::size_t transient_retries = 0;
};

/// The figures of several long-lived CertManagers (say one per resolver) as one snapshot:
/// certificates in the order of `parts`, counts added up, the latest check.
ACMECPP_API Metrics merge_metrics(const std::vector<Metrics>& parts);

/// The metrics in the Prometheus text exposition format 0.0.4 (one "# HELP" and "# TYPE" line
/// per family, label values escaped). Families, all prefixed "acmecpp_":
/// - certificate_not_after_timestamp_seconds{resolver,name} (gauge): expiry, Unix time
/// - certificate_time_left_seconds{resolver,name} (gauge): not_after - now; negative once expired
/// - issuances_total{result="success|failure"}, renewals_total{result=...} (counters)
/// - last_check_timestamp_seconds (gauge): left out before the first check
/// - acme_requests_total{result} (counter): one sample per key of Metrics::acme_requests
/// - acme_bad_nonce_retries_total (counter)
/// - acme_transient_retries_total (counter): requests sent again after a 429, 5xx or failed
///   connection
/// - certificate_retry_not_before_timestamp_seconds{resolver,name} (gauge): the earliest next
///   attempt the CA allows (rate limit), only for certificates that have one
ACMECPP_API std::string render_prometheus(const Metrics& metrics,
                                          std::chrono::system_clock::time_point now);
/// The same at the current time.
ACMECPP_API std::string render_prometheus(const Metrics& metrics);

/// The Content-Type an HTTP endpoint serving render_prometheus() should send.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

/// A plain-HTTP endpoint for Prometheus: `GET /metrics` (any query string ignored; HEAD too) is
/// answered with status 200, Content-Type kPrometheusContentType and the text `render` returns
/// at the time of the request; any other path gets 404, other methods 405. One connection per
/// request, served on a thread of its own for as long as the object lives.
///
/// `render` runs on that thread, one request at a time, so it must be safe to call concurrently
/// with the program's other threads and should be quick (e.g. render_prometheus() of a
/// snapshot). When it throws, the scrape gets a 500 that does not repeat the exception's text.
///
/// @code
/// acmecpp::MetricsServer metrics("127.0.0.1", 9464, [&] {
///   return acmecpp::render_prometheus(manager.metrics());
/// });
/// @endcode
class ACMECPP_API MetricsServer {
 public:
  /// Binds `host`:`port` at once and serves from then on, so a daemon fails at start, not at
  /// its first scrape.
  /// @param host   a numeric IPv4 or IPv6 address (without brackets) or a host name; for a
  ///               name, the first of its addresses that can be bound is used
  /// @param port   TCP port; 0 lets the system choose (see port())
  /// @param render makes the body of each answer to `GET /metrics`
  /// @throws Error of kind ErrorKind::config, "cannot serve metrics on HOST port PORT: REASON",
  ///         when the address cannot be bound (in use, not local, unknown name, ...)
  MetricsServer(const std::string& host, std::uint16_t port, std::function<std::string()> render);
  /// Stops serving: closes the socket and any open connection and waits for the thread.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// The port listened on (the system's choice when constructed with port 0).
  std::uint16_t port() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace acmecpp
