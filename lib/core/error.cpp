// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/error.hpp"

#include <utility>

#include "acmecpp/printable.hpp"
#include "core/rfc3339.hpp"

namespace acmecpp {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input:
      return "invalid input";
    case ErrorKind::config:
      return "configuration";
    case ErrorKind::network:
      return "network";
    case ErrorKind::protocol:
      return "protocol";
    case ErrorKind::server_problem:
      return "server problem";
    case ErrorKind::challenge:
      return "challenge";
    case ErrorKind::storage:
      return "storage";
    case ErrorKind::crypto:
      return "crypto";
    case ErrorKind::cancelled:
      return "cancelled";
    case ErrorKind::ca_timeout:
      return "CA timeout";
    case ErrorKind::busy:
      return "busy";
  }
  return "unknown";
}

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(message), kind_(kind) {}

namespace {
constexpr std::string_view kAcmeErrorPrefix = "urn:ietf:params:acme:error:";
/// A summary names this many subproblems, then says how many more there are.
constexpr std::size_t kSubproblemsShown = 10;
}  // namespace

bool Problem::is(std::string_view name) const {
  std::string_view t = type;
  if (t.substr(0, kAcmeErrorPrefix.size()) == kAcmeErrorPrefix)
    t.remove_prefix(kAcmeErrorPrefix.size());
  if (name.substr(0, kAcmeErrorPrefix.size()) == kAcmeErrorPrefix)
    name.remove_prefix(kAcmeErrorPrefix.size());
  return !t.empty() && t == name;
}

// Every part comes from the server: each is escaped and bounded here, where it enters a message.
std::string Problem::summary() const {
  std::string text = type.empty() ? std::string("problem") : printable_text(type);
  if (!detail.empty()) text += ": " + printable_text(detail);
  for (std::size_t i = 0; i < subproblems.size(); ++i) {
    if (i == kSubproblemsShown) {
      text += "; … and " + std::to_string(subproblems.size() - i) + " more subproblems";
      break;
    }
    const Problem& sub = subproblems[i];
    text += "; ";
    if (!sub.identifier.empty()) text += printable_text(sub.identifier) + ": ";
    text += printable_text(sub.type);
    if (!sub.detail.empty()) text += ": " + printable_text(sub.detail);
  }
  return text;
}

AcmeError::AcmeError(const std::string& context, Problem problem)
    : Error(ErrorKind::server_problem, context + ": " + problem.summary()),
      problem_(std::move(problem)) {}

namespace {
std::string with_retry_time(const std::string& text,
                            const std::optional<std::chrono::system_clock::time_point>& at) {
  if (!at) return text;
  return text + " (the CA asks to try again after " + core::format_rfc3339(*at) + ")";
}
}  // namespace

AcmeError::AcmeError(const std::string& context, Problem problem,
                     std::optional<std::chrono::system_clock::time_point> retry_at)
    : Error(ErrorKind::server_problem,
            with_retry_time(context + ": " + problem.summary(), retry_at)),
      problem_(std::move(problem)),
      retry_at_(retry_at) {}

ChallengeError::ChallengeError(const std::string& message, Problem problem)
    : Error(ErrorKind::challenge, message), problem_(std::move(problem)) {}

}  // namespace acmecpp
