// SPDX-License-Identifier: Apache-2.0
#pragma once
// A stand-in for a CA's ACME Renewal Information (RFC 9773) and profiles, since Pebble 2.4 has
// neither: an HTTPS reverse proxy on 127.0.0.1 in front of a PebbleEnv. It forwards every ACME
// request to Pebble unchanged, keeping the Host header, so Pebble builds every URL it returns
// (and checks every JWS "url") against the proxy's address; the client therefore talks to the
// proxy throughout. The proxy adds "renewalInfo" (served by itself, with a window the test sets)
// and optionally meta.profiles to the directory, records the payloads of newOrder requests, and
// can answer an order carrying "replaces" with the problem alreadyReplaced, as a CA would, or any
// order with a problem whose detail the test chooses. It
// serves with Pebble's own TLS certificate, so clients trust it with PebbleEnv::ca_bundle().
// It can also misbehave as a slow CA does, which Pebble cannot: leave newOrder requests
// unanswered, or keep finalized orders "processing" with a Retry-After of the test's choosing.
// And it behaves as Let's Encrypt's production CA (Boulder) does where Pebble 2.4 never does:
// 429/500/503 with Retry-After on chosen requests (inject()), before or after Pebble acted on
// them, rateLimited problems, "replaces" refused with any problem (unauthorized, malformed for an
// unknown issuer, ...), an account reported deactivated.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/pebble_env.hpp"

namespace acmecpp::testing {

/// The requests inject() can choose, told apart by Pebble's paths.
enum class CaRequest {
  new_nonce,
  new_account,
  new_order,
  order,  ///< POST-as-GET of an order (polls)
  authorization,
  challenge,
  finalize,
  certificate,  ///< download
  revoke,
  account,  ///< POST to the account URL (update, deactivation)
};

/// A failure answered instead of (or, after_forwarding, in place of) Pebble's answer.
struct Injection {
  int status = 503;
  std::string problem_type = "serverInternal";  ///< ACME error name; "" sends no body
  std::string detail = "stand-in: injected failure";
  std::string retry_after;  ///< the Retry-After header's value; "": none
  int times = 1;            ///< how many requests of that kind it answers, from the next one
  /// Pebble acts on the request first and its answer is lost: what a 500 after the work was
  /// done, or a connection cut, looks like to a client.
  bool after_forwarding = false;
};

struct AriWindow {
  std::chrono::system_clock::time_point start, end;
  std::optional<std::chrono::seconds> retry_after;  ///< sent as Retry-After when set
  std::string explanation_url;                      ///< sent as explanationURL when not empty
};

class AriServer {
 public:
  /// Starts on a free port. `profiles`: names listed in the directory's meta.profiles.
  explicit AriServer(const PebbleEnv& pebble, std::vector<std::string> profiles = {});
  ~AriServer();
  AriServer(const AriServer&) = delete;
  AriServer& operator=(const AriServer&) = delete;

  /// "https://127.0.0.1:<port>/dir"
  std::string directory_url() const;

  /// The window served for every certificate ID; none set: renewalInfo answers 404.
  void set_window(const AriWindow& window);
  /// While true, a newOrder whose payload has "replaces" is answered with alreadyReplaced (409)
  /// instead of being forwarded.
  void set_reject_replaces(bool reject);

  /// While true, newOrder requests get no answer at all (the connection stays open) until this
  /// is cleared or the stand-in destroyed; they are recorded (new_order_payloads()) first.
  void set_hang_new_orders(bool hang);
  /// While set, every order Pebble reports as "processing" or "valid" (after finalize) is
  /// answered as "processing", without its certificate URL, with this Retry-After value.
  void set_hold_processing(std::optional<std::string> retry_after);
  /// How many answers set_hold_processing() has rewritten so far.
  std::size_t held_processing_answers() const;
  /// While set, every newOrder is answered with the problem rejectedIdentifier (400) carrying
  /// this detail instead of being forwarded: a CA's error as long as a test wants it.
  void set_new_order_problem(std::optional<std::string> detail);

  /// The next `injection.times` requests of this kind are answered with its failure.
  void inject(CaRequest kind, const Injection& injection);
  /// How many requests of this kind arrived (answered by an injection or not).
  std::size_t requests(CaRequest kind) const;
  /// How many requests of this kind an injection answered.
  std::size_t injected(CaRequest kind) const;
  /// While set, a newOrder with "replaces" is refused with this problem (after alreadyReplaced's
  /// set_reject_replaces(), the general form: Boulder's unauthorized, malformed, ...).
  void set_replaces_refusal(std::optional<Injection> refusal);

  /// Payloads (decoded JSON) of every newOrder request received, in order.
  std::vector<nlohmann::json> new_order_payloads() const;
  /// Certificate IDs asked for at renewalInfo, in order.
  std::vector<std::string> renewal_info_requests() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace acmecpp::testing
