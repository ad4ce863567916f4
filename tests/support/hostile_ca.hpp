// SPDX-License-Identifier: Apache-2.0
#pragma once
// A misbehaving CA, for the tests of what acmecpp does with what a CA sends: a stand-in, since
// Pebble cannot misbehave. It is an HTTPS server on 127.0.0.1 in front of a PebbleEnv (see
// pebble_forward.hpp): every request goes to Pebble, so that orders, challenges and accounts are
// real, and the stand-in changes Pebble's answer in one way the test chooses:
//  - the certificate: for another key, for other names than the order's (with the key of the
//    CSR it saw at finalize), with a chain that is not one, or with text around the PEM;
//  - URLs: an http:// newOrder in the directory, an http:// Location for a new order (pointing at
//    a plain HTTP listener of its own that counts what reaches it: nothing should);
//  - a problem document for newOrder with control characters and a detail of several megabytes;
//  - newOrder's answer: an endless body, a body dripped a byte at a time, invalid JSON, members
//    of the wrong types, the wrong Content-Type, a redirect, or a Location at another origin;
//  - every POST refused with badNonce, a fresh nonce each time.

#include <atomic>
#include <memory>
#include <string>

#include "support/pebble_env.hpp"

namespace acmecpp::testing {

enum class Misbehaviour {
  none,                ///< Pebble's answers as they are
  wrong_key,           ///< the leaf is for a key of the stand-in's, not the CSR's
  other_names,         ///< the leaf has the CSR's key but names the order did not ask for
  broken_chain,        ///< Pebble's leaf, then a CA certificate that did not issue it
  junk_around_pem,     ///< Pebble's chain with text before, between and after the blocks
  http_directory,      ///< the directory lists newOrder as an http:// URL
  http_location,       ///< newOrder's Location header is an http:// URL
  hostile_problem,     ///< newOrder answered with a problem full of escape sequences, 7 MB long
  endless_body,        ///< newOrder answered 201 with a JSON body that never ends
  slow_drip,           ///< newOrder answered 201 with a JSON body sent one byte every 200 ms
  invalid_json,        ///< newOrder answered 201 with a body that is not JSON
  wrong_types,         ///< Pebble's order with "status" a number and "authorizations" a string
  wrong_content_type,  ///< Pebble's order labelled text/html
  redirect,            ///< newOrder answered 302 with Pebble's newOrder URL as Location
  other_origin,        ///< Pebble's order, its Location at https://127.0.0.2 on an unused port
  bad_nonce_forever,   ///< every POST answered badNonce, with a new Replay-Nonce each time
};

class HostileCa {
 public:
  explicit HostileCa(const PebbleEnv& pebble);
  ~HostileCa();
  HostileCa(const HostileCa&) = delete;
  HostileCa& operator=(const HostileCa&) = delete;

  /// "https://127.0.0.1:<port>/dir"
  std::string directory_url() const;
  /// How it misbehaves from now on (Misbehaviour::none at start).
  void set(Misbehaviour misbehaviour);
  /// Requests that reached the plain HTTP listener the http:// URLs point at.
  int plain_http_requests() const;
  /// How many certificate downloads it changed.
  int certificates_changed() const;
  /// How many newOrder requests reached it.
  int new_orders() const;
  /// How many POST requests reached it.
  int posts() const;

  /// The start of the detail of the hostile problem: what a test looks for, escaped.
  static constexpr const char* kProblemDetailStart =
      "\x1b[31mYour account is \x1b[5mgone\x1b[0m\nreason:\r\n";

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace acmecpp::testing
