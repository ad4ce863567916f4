// SPDX-License-Identifier: Apache-2.0
#include "upkeep_report.hpp"

#include <algorithm>
#include <iostream>
#include <mutex>

#include "acmecpp/names.hpp"
#include "certificate_view.hpp"
#include "delivery.hpp"
#include "error_text.hpp"
#include "kept_settings.hpp"
#include "log_output.hpp"
#include "printed.hpp"

namespace acmectl {
namespace {

std::string seconds_of(std::chrono::milliseconds wait) {
  return std::to_string(std::chrono::ceil<std::chrono::seconds>(wait).count());
}

std::string view_of(const acmecpp::UpkeepOutcome& outcome, const std::string& resolver) {
  return to_text({resolver, outcome.issued->record, outcome.issued->info});
}

void report_failure(const acmecpp::UpkeepOutcome& outcome, const std::string& main,
                    const nlohmann::json& fields) {
  if (outcome.stored) {
    log_error("renewing " + main +
                  " failed (the stored certificate is kept): " + in_cli_terms(outcome.detail),
              fields);
  } else {
    log_error("obtaining " + main + " failed: " + in_cli_terms(outcome.detail) +
                  "; next attempt in " + seconds_of(outcome.retry_in) + " s",
              fields);
  }
}

}  // namespace

void say(std::ostream& out, const std::string& line) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  out << printed(line) << '\n';
}

bool holds_any_name(const acmecpp::CertificateRecord& record,
                    const std::vector<std::string>& names) {
  if (names.empty()) return true;
  const auto all = record.names();
  return std::any_of(names.begin(), names.end(), [&all](const std::string& n) {
    // An IP address is stored in its canonical text: "0::1" names the certificate of "::1".
    const std::string wanted = acmecpp::is_ip_address(n) ? acmecpp::normalize_identifier(n) : n;
    return std::find(all.begin(), all.end(), wanted) != all.end();
  });
}

acmecpp::ManagedCertificate managed_certificate(const std::vector<std::string>& names,
                                                const Settings& settings,
                                                std::shared_ptr<acmecpp::Store> store,
                                                std::atomic<bool>& hooks_ok) {
  acmecpp::ManagedCertificate certificate;
  certificate.names = names;
  certificate.kept_settings = kept_settings(settings);
  certificate.on_event = [settings, store, &hooks_ok](const acmecpp::CertificateEvent& event) {
    if (!deliver(settings, event, event.certificate, *store)) hooks_ok = false;
  };
  return certificate;
}

void report(const acmecpp::UpkeepOutcome& outcome, const std::string& resolver,
            const Settings& settings) {
  using Result = acmecpp::UpkeepOutcome::Result;
  const std::string& main = outcome.names.front();
  const nlohmann::json fields = {{"name", main}, {"resolver", resolver}};
  switch (outcome.result) {
    case Result::obtained:
      return say(std::cout, "issued " + view_of(outcome, resolver));
    case Result::renewed:
      return say(std::cout, "renewed " + view_of(outcome, resolver));
    case Result::would_renew:
      return say(std::cout, "would renew " + main);
    case Result::failed:
      return report_failure(outcome, main, fields);
    case Result::busy:
    case Result::done_elsewhere:
      return say(std::cout, "skipped " + main + ": " + outcome.detail);
    case Result::backing_off:
      return log_info("obtaining " + main + " failed before; next attempt in " +
                          seconds_of(outcome.retry_in) + " s",
                      fields);
    case Result::not_due:
      if (settings.verbose) say(std::cout, "not due " + main + ": " + outcome.detail);
      return;
    case Result::stopped:
      return;
  }
}

std::size_t count_results(const std::vector<acmecpp::UpkeepOutcome>& outcomes,
                          acmecpp::UpkeepOutcome::Result result) {
  return static_cast<std::size_t>(
      std::count_if(outcomes.begin(), outcomes.end(),
                    [result](const acmecpp::UpkeepOutcome& o) { return o.result == result; }));
}

}  // namespace acmectl
