// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The one exception hierarchy of acmecpp. Every error the library throws derives from
/// acmecpp::Error; a problem document sent by the ACME server (RFC 7807) travels whole in
/// AcmeError.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/api.hpp"

namespace acmecpp {

/// What went wrong, coarsely: the CLI maps each kind to one documented exit code.
enum class ErrorKind {
  invalid_input,   ///< a name, flag or value given by the caller is not acceptable
  config,          ///< configuration is missing or contradictory
  network,         ///< the server could not be reached or the transfer failed
  protocol,        ///< the server answered something the protocol does not allow
  server_problem,  ///< the ACME server sent an RFC 7807 problem document
  challenge,       ///< a challenge could not be presented or was judged invalid
  storage,         ///< the certificate store could not be read or written
  crypto,          ///< a key, certificate or signature operation failed
  cancelled,       ///< stopped through a StopToken (stop_token.hpp) before it finished
  ca_timeout,      ///< the ACME server did not finish (an order, an authorization) in time
  busy,            ///< another holder kept a lock (e.g. the store's) longer than allowed
};

/// Short lower-case name of a kind, e.g. "storage".
ACMECPP_API std::string_view to_string(ErrorKind kind);

/// Root of every exception acmecpp throws.
class ACMECPP_API Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message);
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

/// An RFC 7807 problem document as sent by an ACME server (RFC 8555 section 6.7).
struct ACMECPP_API Problem {
  std::string type;        ///< e.g. "urn:ietf:params:acme:error:badNonce"
  std::string detail;      ///< human-readable explanation from the server
  int status = 0;          ///< HTTP status carried in the document (or of the response)
  std::string identifier;  ///< "dns:example.com" for subproblems that name one
  std::vector<Problem> subproblems;

  /// True when type is the ACME error `name` (e.g. is("badNonce")), with or without the URN prefix.
  bool is(std::string_view name) const;
  /// One line: "type: detail", followed by "; identifier: type: detail" for each subproblem (at
  /// most ten). Each part is passed through printable_text(): control characters escaped, at most
  /// kPrintableTextLimit bytes each. The members themselves keep what the server sent.
  std::string summary() const;
};

/// A problem document sent by the server, kept whole.
class ACMECPP_API AcmeError : public Error {
 public:
  /// @param context what the client was doing, e.g. "new order"
  /// @param problem the document as the server sent it
  AcmeError(const std::string& context, Problem problem);
  /// The same, from a response that carried Retry-After: the message ends with when to try again
  /// (RFC 3339, UTC), and retry_at() returns it.
  AcmeError(const std::string& context, Problem problem,
            std::optional<std::chrono::system_clock::time_point> retry_at);
  const Problem& problem() const noexcept { return problem_; }
  /// When the server asked (Retry-After) to be asked again; nullopt when it did not say.
  /// A rateLimited problem's time is the earliest next attempt for the certificate.
  const std::optional<std::chrono::system_clock::time_point>& retry_at() const noexcept {
    return retry_at_;
  }

 private:
  Problem problem_;
  std::optional<std::chrono::system_clock::time_point> retry_at_;
};

/// A challenge the server judged invalid, or one that could not be presented.
class ACMECPP_API ChallengeError : public Error {
 public:
  ChallengeError(const std::string& message, Problem problem = {});
  /// The problem the server attached to the failed challenge or authorization, if any.
  const Problem& problem() const noexcept { return problem_; }

 private:
  Problem problem_;
};

}  // namespace acmecpp
