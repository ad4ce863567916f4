// SPDX-License-Identifier: Apache-2.0
// render_prometheus(): the Prometheus text exposition format 0.0.4 of a Metrics snapshot.

#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "acmecpp/metrics.hpp"

using namespace acmecpp;
using Clock = std::chrono::system_clock;

namespace {

const Clock::time_point kNow = Clock::time_point(std::chrono::seconds(1'700'000'000));

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

Metrics sample_metrics() {
  Metrics m;
  m.certificates.push_back(
      {"letsencrypt", "a.example.test", kNow + std::chrono::hours(24), std::nullopt});
  m.certificates.push_back(
      {"zerossl", "b.example.test", kNow - std::chrono::seconds(30), kNow + std::chrono::hours(1)});
  m.issuances = {2, 1};
  m.renewals = {5, 3};
  m.last_check = kNow - std::chrono::seconds(10);
  m.acme_requests = {{"2xx", 40}, {"4xx", 2}, {"network_error", 1}};
  m.bad_nonce_retries = 4;
  m.transient_retries = 6;
  return m;
}

}  // namespace

TEST_CASE("render_prometheus writes the values of every family") {
  const std::string text = render_prometheus(sample_metrics(), kNow);
  INFO(text);
  CHECK(has_line(text,
                 "acmecpp_certificate_not_after_timestamp_seconds{resolver=\"letsencrypt\","
                 "name=\"a.example.test\"} 1700086400"));
  CHECK(has_line(text,
                 "acmecpp_certificate_time_left_seconds{resolver=\"letsencrypt\","
                 "name=\"a.example.test\"} 86400"));
  CHECK(has_line(text,
                 "acmecpp_certificate_time_left_seconds{resolver=\"zerossl\","
                 "name=\"b.example.test\"} -30"));
  CHECK(has_line(text, "acmecpp_issuances_total{result=\"success\"} 2"));
  CHECK(has_line(text, "acmecpp_issuances_total{result=\"failure\"} 1"));
  CHECK(has_line(text, "acmecpp_renewals_total{result=\"success\"} 5"));
  CHECK(has_line(text, "acmecpp_renewals_total{result=\"failure\"} 3"));
  CHECK(has_line(text, "acmecpp_last_check_timestamp_seconds 1699999990"));
  CHECK(has_line(text, "acmecpp_acme_requests_total{result=\"2xx\"} 40"));
  CHECK(has_line(text, "acmecpp_acme_requests_total{result=\"4xx\"} 2"));
  CHECK(has_line(text, "acmecpp_acme_requests_total{result=\"network_error\"} 1"));
  CHECK(has_line(text, "acmecpp_acme_bad_nonce_retries_total 4"));
  CHECK(has_line(text, "acmecpp_acme_transient_retries_total 6"));
  // Only the certificate the CA asked to wait for (a rate limit) has the time it allows.
  CHECK(has_line(text,
                 "acmecpp_certificate_retry_not_before_timestamp_seconds{resolver=\"zerossl\","
                 "name=\"b.example.test\"} 1700003600"));
  CHECK(text.find(
            "acmecpp_certificate_retry_not_before_timestamp_seconds{resolver=\"letsencrypt\"") ==
        std::string::npos);
  CHECK(has_line(text, "# TYPE acmecpp_renewals_total counter"));
  CHECK(has_line(text, "# TYPE acmecpp_certificate_not_after_timestamp_seconds gauge"));
  CHECK(text.back() == '\n');
}

TEST_CASE(
    "render_prometheus: HELP and TYPE once per family, before its samples, every line "
    "well-formed") {
  const std::string text = render_prometheus(sample_metrics(), kNow);
  INFO(text);
  const std::regex comment(R"(# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+))");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? -?[0-9]+)");
  std::map<std::string, int> helps, types;
  std::string current;  // the family whose TYPE came last
  for (const auto& line : lines_of(text)) {
    std::smatch match;
    if (std::regex_match(line, match, comment)) {
      (match[1] == "HELP" ? helps : types)[match[2]]++;
      current = match[2];
      continue;
    }
    REQUIRE_MESSAGE(std::regex_match(line, match, sample), "malformed line: " << line);
    CHECK_MESSAGE(match[1] == current, "sample outside its family: " << line);
  }
  CHECK(helps.size() == 9);
  for (const auto& [family, count] : helps) CHECK_MESSAGE(count == 1, family);
  CHECK(types == helps);
}

TEST_CASE("render_prometheus escapes backslash, double quote and line feed in label values") {
  Metrics m;
  m.certificates.push_back({"odd\\resolver", "say \"hi\"\nthere", kNow, std::nullopt});
  const std::string text = render_prometheus(m, kNow);
  INFO(text);
  CHECK(has_line(
      text,
      R"(acmecpp_certificate_not_after_timestamp_seconds{resolver="odd\\resolver",name="say \"hi\"\nthere"} 1700000000)"));
}

TEST_CASE(
    "render_prometheus leaves out the last check before there was one, and zero counts "
    "stay") {
  const std::string text = render_prometheus(Metrics{}, kNow);
  INFO(text);
  CHECK(text.find("acmecpp_last_check_timestamp_seconds") == std::string::npos);
  CHECK(text.find("acmecpp_certificate_time_left_seconds{") == std::string::npos);
  CHECK(has_line(text, "acmecpp_renewals_total{result=\"failure\"} 0"));
  CHECK(has_line(text, "acmecpp_acme_bad_nonce_retries_total 0"));
}

TEST_CASE("kPrometheusContentType names the exposition format's version") {
  CHECK(std::string(kPrometheusContentType) == "text/plain; version=0.0.4; charset=utf-8");
}
