// SPDX-License-Identifier: Apache-2.0
// The challtestsrv DNS provider against a real pebble-challtestsrv (started by PebbleEnv), with
// what it publishes read back over DNS by dig.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"
#include "support/free_port.hpp"
#include "support/pebble_env.hpp"
#include "support/process.hpp"

using acmecpp::ChallengeError;
using acmecpp::make_challtestsrv_provider;
using acmecpp::testing::PebbleEnv;
using acmecpp::testing::ProcessResult;
using acmecpp::testing::run_process;

namespace {

/// The TXT values at `name`, as challtestsrv's DNS server answers them, sorted.
std::vector<std::string> txt_values(const PebbleEnv& pebble, const std::string& name) {
  const ProcessResult dig =
      run_process({"dig", "@127.0.0.1", "-p", std::to_string(pebble.dns_port()), "TXT", name,
                   "+short", "+tries=1", "+time=3"});
  REQUIRE_MESSAGE(dig.exit_code == 0, "dig failed: " << dig.err << dig.out);
  std::vector<std::string> values;
  std::istringstream lines(dig.out);
  for (std::string line; std::getline(lines, line);) {
    // +short prints each TXT record as its quoted character strings.
    line.erase(std::remove(line.begin(), line.end(), '"'), line.end());
    if (!line.empty()) values.push_back(line);
  }
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace

TEST_CASE("challtestsrv provider publishes two values at one name and removes them one by one") {
  PebbleEnv pebble;
  const auto provider = make_challtestsrv_provider(pebble.challtestsrv_management_url());
  CHECK(provider->name() == "challtestsrv");
  const std::string name = "_acme-challenge.both.example.test.";

  provider->present(name, "apex-value");
  provider->present(name, "wildcard-value");
  CHECK(txt_values(pebble, name) == std::vector<std::string>{"apex-value", "wildcard-value"});

  provider->cleanup(name, "apex-value");
  CHECK(txt_values(pebble, name) == std::vector<std::string>{"wildcard-value"});

  provider->cleanup(name, "wildcard-value");
  CHECK(txt_values(pebble, name).empty());
}

TEST_CASE("challtestsrv provider keeps names apart and accepts names without the final dot") {
  PebbleEnv pebble;
  const auto provider = make_challtestsrv_provider(pebble.challtestsrv_management_url() + "/");
  provider->present("_acme-challenge.one.example.test", "one");
  provider->present("_acme-challenge.two.example.test.", "two");
  provider->cleanup("_acme-challenge.one.example.test.", "one");
  CHECK(txt_values(pebble, "_acme-challenge.one.example.test.").empty());
  CHECK(txt_values(pebble, "_acme-challenge.two.example.test.") == std::vector<std::string>{"two"});
}

TEST_CASE("challtestsrv provider keeps every value when threads present and clean up at once") {
  PebbleEnv pebble;
  const auto provider = make_challtestsrv_provider(pebble.challtestsrv_management_url());
  const std::string name = "_acme-challenge.busy.example.test.";
  provider->present(name, "stays");
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      provider->present(name, "temporary-" + std::to_string(i));
      provider->cleanup(name, "temporary-" + std::to_string(i));
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(txt_values(pebble, name) == std::vector<std::string>{"stays"});
}

TEST_CASE("challtestsrv provider reports an unreachable management API as a ChallengeError") {
  const std::string url = "http://127.0.0.1:" + std::to_string(acmecpp::testing::free_tcp_port());
  const auto provider = make_challtestsrv_provider(url);
  try {
    provider->present("_acme-challenge.example.test.", "v");
    FAIL("expected a ChallengeError");
  } catch (const ChallengeError& error) {
    const std::string message = error.what();
    CHECK(message.find("/set-txt for _acme-challenge.example.test.") != std::string::npos);
    CHECK(message.find(url) != std::string::npos);
  }
}
