// SPDX-License-Identifier: Apache-2.0
#include "progress.hpp"

#include <cstdio>
#include <utility>

#include "log_output.hpp"
#include "upkeep_report.hpp"

namespace acmectl {
namespace {

using Result = acmecpp::UpkeepOutcome::Result;

/// Every result, in the order a summary names them.
constexpr Result kResults[] = {Result::obtained,       Result::renewed,     Result::would_renew,
                               Result::not_due,        Result::failed,      Result::busy,
                               Result::done_elsewhere, Result::backing_off, Result::stopped};

/// The word as a JSON member name: "not_due".
std::string field_name(Result result) {
  std::string name = result_word(result);
  for (char& c : name) c = c == ' ' ? '_' : c;
  return name;
}

std::string seconds_text(std::chrono::steady_clock::duration elapsed) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", std::chrono::duration<double>(elapsed).count());
  return text;
}

}  // namespace

std::string result_word(Result result) {
  switch (result) {
    case Result::obtained:
      return "issued";
    case Result::renewed:
      return "renewed";
    case Result::would_renew:
      return "would renew";
    case Result::not_due:
      return "not due";
    case Result::failed:
      return "failed";
    case Result::busy:
      return "busy";
    case Result::done_elsewhere:
      return "done elsewhere";
    case Result::backing_off:
      return "backing off";
    case Result::stopped:
      return "stopped";
  }
  return "unknown";
}

UpkeepProgress::UpkeepProgress(std::string command, std::size_t total, const Settings& settings,
                               std::string resolver)
    : command_(std::move(command)),
      total_(total),
      verbose_(settings.verbose),
      quiet_(settings.quiet),
      resolver_(std::move(resolver)),
      started_(std::chrono::steady_clock::now()) {}

std::function<void(const acmecpp::UpkeepOutcome&)> UpkeepProgress::callback() {
  return [this](const acmecpp::UpkeepOutcome& outcome) { completed(outcome); };
}

void UpkeepProgress::completed(const acmecpp::UpkeepOutcome& outcome) {
  std::size_t done = 0;
  std::size_t total = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done = ++done_;
    total = total_;
  }
  if (quiet_ || (outcome.result == Result::not_due && !verbose_)) return;
  const std::string& main = outcome.names.front();
  log_to_stderr(
      outcome.result == Result::not_due ? acmecpp::LogLevel::debug : acmecpp::LogLevel::info,
      std::to_string(done) + "/" + std::to_string(total) + " " + result_word(outcome.result) + " " +
          main,
      {{"name", main},
       {"resolver", resolver_},
       {"result", field_name(outcome.result)},
       {"done", done},
       {"total", total}});
}

void UpkeepProgress::restart(std::size_t total) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = 0;
  total_ = total;
  started_ = std::chrono::steady_clock::now();
}

void UpkeepProgress::summary(const std::vector<acmecpp::UpkeepOutcome>& outcomes) const {
  if (quiet_) return;
  const auto elapsed = std::chrono::steady_clock::now() - started_;
  nlohmann::json fields = {
      {"resolver", resolver_},
      {"total", outcomes.size()},
      {"elapsed_ms", std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()}};
  std::string counts;
  for (const Result result : kResults) {
    const std::size_t count = count_results(outcomes, result);
    fields[field_name(result)] = count;
    if (count == 0) continue;
    counts += (counts.empty() ? ": " : ", ") + std::to_string(count) + " " + result_word(result);
  }
  log_info(command_ + ": " + std::to_string(outcomes.size()) +
               (outcomes.size() == 1 ? " certificate" : " certificates") + " in " +
               seconds_text(elapsed) + counts,
           fields);
}

}  // namespace acmectl
