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
  std::string text = fmt::format("{}  names={}  not-after={}  days-left={}  issuer=\"{}\"  key={}",
                                 view.resolver, names, format_time(view.info.not_after),
                                 days_left(view.info), issuer_name(view.info), view.info.key_type);
  // The profile it was ordered with, when it was not the CA's default.
  if (!view.record.renewal.profile.empty()) text += "  profile=" + view.record.renewal.profile;
  return text;
}

nlohmann::json to_json(const CertificateView& view) {
  return {{"resolver", view.resolver},
          {"main", view.record.main},
          {"sans", view.record.sans},
          {"not_before", format_time(view.info.not_before)},
          {"not_after", format_time(view.info.not_after)},
          {"days_left", days_left(view.info)},
          {"issuer", issuer_name(view.info)},
          {"serial", view.info.serial_hex},
          {"key_type", view.info.key_type},
          {"profile", view.record.renewal.profile}};
}

}  // namespace acmectl
