#pragma once
/// @file
/// Figures about a CertManager (or a whole program running several) for monitoring: the stored
/// certificates and their expiry, issuances and renewals by result, the last renewal check and
/// the requests sent to the ACME server. A Metrics value is a plain snapshot;
/// render_prometheus() turns it into the Prometheus text exposition format (version 0.0.4).

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace acmecpp {

/// One stored certificate.
struct CertificateMetrics {
  std::string resolver;  ///< the store section (Traefik's resolver name)
  std::string name;      ///< the certificate's main name
  std::chrono::system_clock::time_point not_after;
};

/// How many operations of one kind succeeded and failed.
struct ResultCounts {
  std::size_t success = 0;
  std::size_t failure = 0;
};

/// A snapshot; every count is cumulative since the counting object was created.
struct Metrics {
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
};

/// The metrics in the Prometheus text exposition format 0.0.4 (one "# HELP" and "# TYPE" line
/// per family, label values escaped). Families, all prefixed "acmecpp_":
/// - certificate_not_after_timestamp_seconds{resolver,name} (gauge): expiry, Unix time
/// - certificate_time_left_seconds{resolver,name} (gauge): not_after - now; negative once expired
/// - issuances_total{result="success|failure"}, renewals_total{result=...} (counters)
/// - last_check_timestamp_seconds (gauge): left out before the first check
/// - acme_requests_total{result} (counter): one sample per key of Metrics::acme_requests
/// - acme_bad_nonce_retries_total (counter)
std::string render_prometheus(const Metrics& metrics, std::chrono::system_clock::time_point now);
/// The same at the current time.
std::string render_prometheus(const Metrics& metrics);

/// The Content-Type an HTTP endpoint serving render_prometheus() should send.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace acmecpp
