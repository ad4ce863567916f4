#include "acmecpp/error.hpp"

#include <utility>

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
  }
  return "unknown";
}

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(message), kind_(kind) {}

namespace {
constexpr std::string_view kAcmeErrorPrefix = "urn:ietf:params:acme:error:";
}

bool Problem::is(std::string_view name) const {
  std::string_view t = type;
  if (t.substr(0, kAcmeErrorPrefix.size()) == kAcmeErrorPrefix)
    t.remove_prefix(kAcmeErrorPrefix.size());
  if (name.substr(0, kAcmeErrorPrefix.size()) == kAcmeErrorPrefix)
    name.remove_prefix(kAcmeErrorPrefix.size());
  return !t.empty() && t == name;
}

std::string Problem::summary() const {
  std::string text = type.empty() ? std::string("problem") : type;
  if (!detail.empty()) text += ": " + detail;
  for (const auto& sub : subproblems) {
    text += "; ";
    if (!sub.identifier.empty()) text += sub.identifier + ": ";
    text += sub.type;
    if (!sub.detail.empty()) text += ": " + sub.detail;
  }
  return text;
}

AcmeError::AcmeError(const std::string& context, Problem problem)
    : Error(ErrorKind::server_problem, context + ": " + problem.summary()),
      problem_(std::move(problem)) {}

ChallengeError::ChallengeError(const std::string& message, Problem problem)
    : Error(ErrorKind::challenge, message), problem_(std::move(problem)) {}

}  // namespace acmecpp
