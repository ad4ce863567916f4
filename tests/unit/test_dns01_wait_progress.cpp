// SPDX-License-Identifier: Apache-2.0
// A DNS-01 propagation wait is never silent: every PropagationPace::report_every (10 s in
// acmectl) it says which record it waits for, at which servers, and how long of how long. Driven
// here with a stand-in server that refuses every query and a short pace, so that the record never
// shows and the wait ends at its timeout.

#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <string>

#include "acmecpp/error.hpp"
#include "challenge/dns01/propagation_check.hpp"
#include "support/log_lines.hpp"
#include "support/refusing_dns_server.hpp"

using namespace std::chrono_literals;

TEST_CASE("a DNS-01 propagation wait says every report_every what it waits for, and for how long") {
  acmecpp::testing::RefusingDnsServer refusing;
  acmecpp::Dns01PropagationOptions options;
  options.authoritative_override = {refusing.address()};
  const auto servers = acmecpp::dns01::override_servers(options);
  acmecpp::dns01::PropagationPace pace;
  pace.timeout = 3500ms;
  pace.interval = 100ms;
  pace.report_every = 1s;
  acmecpp::testing::LogLines log;
  const std::string fqdn = "_acme-challenge.slow.example.test.";
  CHECK_THROWS_AS(acmecpp::dns01::wait_until_txt_visible(fqdn, "value", servers, pace, log.sink()),
                  acmecpp::ChallengeError);
  const std::string prefix = "waiting for TXT " + fqdn + " at " + refusing.address() + " (";
  // At 1, 2 and 3 s (the last one only if the look after 3 s comes before the timeout ends
  // the wait on a loaded machine), none at the start.
  const auto reports = log.containing(prefix);
  CHECK(reports >= 2);
  CHECK(reports <= 3);
  const std::regex line("waiting for TXT \\S+ at \\S+ \\([1-3] s of 3500 ms\\)");
  std::size_t matching = 0;
  for (const auto& text : log.lines) matching += std::regex_match(text, line);
  CHECK(matching == reports);
  CHECK(log.containing("(1 s of 3500 ms)") == 1);
  CHECK(log.containing("(2 s of 3500 ms)") == 1);
}

TEST_CASE("a propagation wait shorter than report_every says nothing of waiting") {
  acmecpp::testing::RefusingDnsServer refusing;
  acmecpp::Dns01PropagationOptions options;
  options.authoritative_override = {refusing.address()};
  acmecpp::dns01::PropagationPace pace;
  pace.timeout = 300ms;
  pace.interval = 100ms;  // the default report_every (10 s) is longer than the whole wait
  acmecpp::testing::LogLines log;
  CHECK_THROWS_AS(acmecpp::dns01::wait_until_txt_visible(
                      "_acme-challenge.quick.example.test.", "value",
                      acmecpp::dns01::override_servers(options), pace, log.sink()),
                  acmecpp::ChallengeError);
  CHECK(log.containing("waiting for TXT") == 0);
  CHECK(log.containing("look 1:") == 1);  // it did look (the debug line of each look)
}
