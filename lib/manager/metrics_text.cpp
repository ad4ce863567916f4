// SPDX-License-Identifier: Apache-2.0
// The Prometheus text exposition format (0.0.4) of a Metrics snapshot. Written by hand: the
// format is a few lines per family, and a client library would bring a registry the snapshot
// does not need.

#include <string_view>

#include "acmecpp/metrics.hpp"

namespace acmecpp {
namespace {

using Clock = std::chrono::system_clock;

/// A label value inside double quotes: backslash, double quote and line feed are escaped.
std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

long long unix_seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

/// Appends one family's HELP and TYPE lines; its samples follow.
class Exposition {
 public:
  void family(const char* name, const char* type, const char* help) {
    text_ += std::string("# HELP ") + name + ' ' + help + '\n';
    text_ += std::string("# TYPE ") + name + ' ' + type + '\n';
  }
  void sample(const char* name, const std::string& labels, long long value) {
    text_ += name;
    if (!labels.empty()) text_ += '{' + labels + '}';
    text_ += ' ' + std::to_string(value) + '\n';
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

std::string label(const char* name, std::string_view value) {
  return std::string(name) + "=\"" + escape_label_value(value) + '"';
}

std::string certificate_labels(const CertificateMetrics& certificate) {
  return label("resolver", certificate.resolver) + ',' + label("name", certificate.name);
}

void certificates(Exposition& out, const Metrics& metrics, Clock::time_point now) {
  constexpr const char* expiry = "acmecpp_certificate_not_after_timestamp_seconds";
  out.family(expiry, "gauge", "When the stored certificate expires (Unix time).");
  for (const auto& c : metrics.certificates) {
    out.sample(expiry, certificate_labels(c), unix_seconds(c.not_after));
  }
  constexpr const char* left = "acmecpp_certificate_time_left_seconds";
  out.family(left, "gauge", "Seconds until the stored certificate expires; negative once expired.");
  for (const auto& c : metrics.certificates) {
    out.sample(left, certificate_labels(c), unix_seconds(c.not_after) - unix_seconds(now));
  }
  constexpr const char* wait = "acmecpp_certificate_retry_not_before_timestamp_seconds";
  out.family(wait, "gauge",
             "The earliest next attempt the CA allows for the certificate (Unix time).");
  for (const auto& c : metrics.certificates) {
    if (c.retry_not_before) {
      out.sample(wait, certificate_labels(c), unix_seconds(*c.retry_not_before));
    }
  }
}

void results(Exposition& out, const char* name, const char* help, const ResultCounts& counts) {
  out.family(name, "counter", help);
  out.sample(name, label("result", "success"), static_cast<long long>(counts.success));
  out.sample(name, label("result", "failure"), static_cast<long long>(counts.failure));
}

void acme_requests(Exposition& out, const Metrics& metrics) {
  constexpr const char* requests = "acmecpp_acme_requests_total";
  out.family(requests, "counter",
             "Requests to the ACME server by result: HTTP status class or network_error.");
  for (const auto& [result, count] : metrics.acme_requests) {
    out.sample(requests, label("result", result), static_cast<long long>(count));
  }
  constexpr const char* retries = "acmecpp_acme_bad_nonce_retries_total";
  out.family(retries, "counter", "Requests sent again after the server answered badNonce.");
  out.sample(retries, "", static_cast<long long>(metrics.bad_nonce_retries));
  constexpr const char* transient = "acmecpp_acme_transient_retries_total";
  out.family(transient, "counter",
             "Requests sent again after a 429, a 5xx or a failed connection.");
  out.sample(transient, "", static_cast<long long>(metrics.transient_retries));
}

}  // namespace

std::string render_prometheus(const Metrics& metrics, Clock::time_point now) {
  Exposition out;
  certificates(out, metrics, now);
  results(out, "acmecpp_issuances_total", "Certificates obtained for names not yet stored.",
          metrics.issuances);
  results(out, "acmecpp_renewals_total", "Stored certificates replaced by a new one.",
          metrics.renewals);
  if (metrics.last_check) {
    constexpr const char* check = "acmecpp_last_check_timestamp_seconds";
    out.family(check, "gauge", "When the certificates were last checked (Unix time).");
    out.sample(check, "", unix_seconds(*metrics.last_check));
  }
  acme_requests(out, metrics);
  return out.take();
}

std::string render_prometheus(const Metrics& metrics) {
  return render_prometheus(metrics, Clock::now());
}

}  // namespace acmecpp
