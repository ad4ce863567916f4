#pragma once
// The figures of `acmectl run` for its metrics endpoint. The daemon uses a fresh CertManager for
// each certificate and check, so their counts are added up here as each one finishes; the
// stored certificates of a resolver are replaced by the list its latest manager saw.

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "acmecpp/metrics.hpp"

namespace acmectl {

class RunMetrics {
 public:
  /// Adds what one manager of `resolver` counted over its whole life; call once per manager.
  void add(const std::string& resolver, const acmecpp::Metrics& from_manager);
  /// A pass over the configured certificates finished at `when`.
  void checked(std::chrono::system_clock::time_point when);
  /// Everything so far; certificates ordered by resolver, then as stored.
  acmecpp::Metrics snapshot() const;

 private:
  mutable std::mutex mutex_;
  acmecpp::Metrics totals_;  // certificates unused: kept per resolver below
  std::map<std::string, std::vector<acmecpp::CertificateMetrics>> certificates_;
};

}  // namespace acmectl
