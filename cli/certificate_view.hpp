// SPDX-License-Identifier: Apache-2.0
#pragma once
// How acmectl shows a stored certificate: one human line or one JSON object.

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "acmecpp/certificate.hpp"
#include "acmecpp/store.hpp"

namespace acmectl {

struct CertificateView {
  std::string resolver;
  acmecpp::CertificateRecord record;
  acmecpp::CertificateInfo info;
};

/// Whole days from `now` until not-after (negative once expired).
long days_left(const acmecpp::CertificateInfo& info,
               std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
/// RFC 3339 UTC, e.g. "2026-11-21T23:53:08Z".
std::string format_time(std::chrono::system_clock::time_point time);

std::string to_text(const CertificateView& view);
nlohmann::json to_json(const CertificateView& view);

}  // namespace acmectl
