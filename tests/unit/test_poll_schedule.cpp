// SPDX-License-Identifier: Apache-2.0
// The schedule polls follow: a quick start, doubling to a cap, Retry-After honoured, a deadline.
// Times are passed in, so the test needs no clock and no sleeping.

#include <doctest/doctest.h>

#include "acme/poll_schedule.hpp"

using acmecpp::acme::PollSchedule;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {
const PollSchedule::Clock::time_point start{};  // an arbitrary fixed moment
}

TEST_CASE("poll schedule starts with the initial wait and doubles up to the cap") {
  PollSchedule schedule(milliseconds(15), milliseconds(100), start + seconds(60));
  CHECK(schedule.next_wait(std::nullopt, start) == milliseconds(15));
  CHECK(schedule.next_wait(std::nullopt, start) == milliseconds(30));
  CHECK(schedule.next_wait(std::nullopt, start) == milliseconds(60));
  CHECK(schedule.next_wait(std::nullopt, start) == milliseconds(100));
  CHECK(schedule.next_wait(std::nullopt, start) == milliseconds(100));
}

TEST_CASE("poll schedule never asks before Retry-After, even beyond its cap") {
  PollSchedule schedule(milliseconds(15), milliseconds(1000), start + seconds(60));
  CHECK(schedule.next_wait(seconds(3), start) == milliseconds(3000));
  // Without Retry-After again, the backoff goes on where it was (it doubled meanwhile).
  CHECK(schedule.next_wait(std::nullopt, start) == milliseconds(30));
  // A Retry-After shorter than the backoff does not make the next poll earlier than planned,
  // and "0" does not turn the loop into a busy one.
  CHECK(schedule.next_wait(seconds(0), start) == milliseconds(60));
}

TEST_CASE("poll schedule gives up when the next poll would come after the deadline") {
  PollSchedule schedule(milliseconds(400), milliseconds(1000), start + seconds(1));
  CHECK(schedule.next_wait(std::nullopt, start) == milliseconds(400));
  // 400 ms later the next wait (800 ms) would end past the deadline.
  CHECK_FALSE(schedule.next_wait(std::nullopt, start + milliseconds(400)).has_value());

  PollSchedule patient(milliseconds(10), milliseconds(1000), start + seconds(5));
  CHECK_FALSE(patient.next_wait(seconds(6), start).has_value());  // the server asks too much
  CHECK(patient.next_wait(seconds(4), start) == milliseconds(4000));
}
