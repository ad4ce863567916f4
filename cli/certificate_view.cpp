// SPDX-License-Identifier: Apache-2.0
#include "certificate_view.hpp"

#include <ctime>

#include <fmt/format.h>

namespace acmectl {

long days_left(const acmecpp::CertificateInfo& info, std::chrono::system_clock::time_point now) {
  using Days = std::chrono::duration<long, std::ratio<86400>>;
  return std::chrono::floor<Days>(info.not_after - now).count();
}

std::string format_time(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

namespace {
std::string issuer_name(const acmecpp::CertificateInfo& info) {
  return info.issuer_common_name.empty() ? info.issuer : info.issuer_common_name;
}
}  // namespace

std::string to_text(const CertificateView& view) {
  std::string names = view.record.main;
  for (const auto& san : view.record.sans) names += "," + san;
  std::string line = fmt::format("{}  names={}  not-after={}  days-left={}  issuer=\"{}\"  key={}",
                                 view.resolver, names, format_time(view.info.not_after),
                                 days_left(view.info), issuer_name(view.info), view.info.key_type);
  // The profile it was ordered with, when it was not the CA's default.
  if (!view.record.renewal.profile.empty()) line += "  profile=" + view.record.renewal.profile;
  // The CA's rate limit: no attempt before then.
  if (const auto& at = view.record.renewal.retry_not_before) {
    line += "  retry-not-before=" + format_time(*at);
  }
  return line;
}

nlohmann::json to_json(const CertificateView& view) {
  nlohmann::json json = {{"resolver", view.resolver},
                         {"main", view.record.main},
                         {"sans", view.record.sans},
                         {"not_before", format_time(view.info.not_before)},
                         {"not_after", format_time(view.info.not_after)},
                         {"days_left", days_left(view.info)},
                         {"issuer", issuer_name(view.info)},
                         {"serial", view.info.serial_hex},
                         {"key_type", view.info.key_type},
                         {"profile", view.record.renewal.profile}};
  const auto& renewal = view.record.renewal;
  // The earliest next attempt the CA allows (Retry-After of a rate limit); null when none.
  json["retry_not_before"] =
      renewal.retry_not_before ? nlohmann::json(format_time(*renewal.retry_not_before)) : nullptr;
  // ARI's explanationURL (an incident, a mass revocation); null when the CA sent none.
  json["ari_explanation_url"] = renewal.ari_explanation_url.empty()
                                    ? nlohmann::json(nullptr)
                                    : nlohmann::json(renewal.ari_explanation_url);
  return json;
}

}  // namespace acmectl
