// SPDX-License-Identifier: Apache-2.0
// What acmectl tells its operator while it works (issue 13, item 7), against Pebble: every stderr
// line timestamped (RFC 3339, UTC, milliseconds), --log-format json as one object a line,
// progress "n/N" and a closing summary for issue --batch and renew, quiet enough for cron, and
// each hook run logged at -v with its exit status, duration and the end of its output.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acmectl_runner.hpp"
#include "support/challtestsrv.hpp"
#include "support/temp_dir.hpp"
#include "support/text_count.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// "2026-12-04T15:02:03.123Z acmectl: LEVEL: message"
bool is_text_log_line(const std::string& line) {
  static const std::regex pattern(
      R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z acmectl: (debug|info|warning|error): .+$)");
  return std::regex_match(line, pattern);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The stderr lines that contain `part`.
std::vector<std::string> lines_with(const std::string& text, const std::string& part) {
  std::vector<std::string> found;
  for (const auto& line : lines_of(text)) {
    if (contains(line, part)) found.push_back(line);
  }
  return found;
}

std::vector<std::string> http_args(const PebbleEnv& pebble) {
  return {"--http-address", "127.0.0.1", "--http-port", std::to_string(pebble.http_port())};
}

std::vector<std::string> with_http(const PebbleEnv& pebble, std::vector<std::string> args) {
  const auto http = http_args(pebble);
  args.insert(args.end(), http.begin(), http.end());
  return args;
}

/// Every stderr line of a json run, parsed (a line that is not JSON fails the test).
std::vector<nlohmann::json> json_lines(const std::string& err) {
  std::vector<nlohmann::json> parsed;
  for (const auto& line : lines_of(err)) {
    INFO(line);
    const auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_FALSE(json.is_discarded());
    REQUIRE(json.is_object());
    parsed.push_back(json);
  }
  return parsed;
}

}  // namespace

TEST_CASE("issue --batch: timestamped stderr lines, n/N as each completes, a summary with counts") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  // Pebble validates fails.feedback.test at 127.0.0.2, where no HTTP-01 server answers.
  ChallTestSrv(pebble.challtestsrv_management_url()).add_a("fails.feedback.test", {"127.0.0.2"});
  const auto batch = dir / "batch.txt";
  std::ofstream(batch)
      << "a.feedback.test\nb.feedback.test\nfails.feedback.test\nc.feedback.test\n";
  const auto result = run_acmectl(
      pebble, store, with_http(pebble, {"issue", "--batch", batch.string(), "--concurrency", "2"}));
  INFO(describe(result));
  CHECK(result.exit_code == 11);

  const auto err = lines_of(result.err);
  REQUIRE_FALSE(err.empty());
  for (const auto& line : err) {
    INFO(line);
    CHECK(is_text_log_line(line));
  }
  // One progress line per certificate, numbered in the order they completed.
  for (int n = 1; n <= 4; ++n) {
    CHECK(lines_with(result.err, "acmectl: info: " + std::to_string(n) + "/4 ").size() == 1);
  }
  for (const std::string name : {"a", "b", "c"}) {
    CHECK(lines_with(result.err, "/4 issued " + name + ".feedback.test").size() == 1);
  }
  CHECK(lines_with(result.err, "/4 failed fails.feedback.test").size() == 1);
  const auto summary = lines_with(result.err, "acmectl: info: issue --batch: 4 certificates in ");
  REQUIRE(summary.size() == 1);
  CHECK(contains(summary.front(), " s: 3 issued, 1 failed"));
  CHECK(lines_with(result.err, "line 3: issuing fails.feedback.test failed").size() == 1);
  // The result lines on stdout are for scripts: no timestamp, as before.
  const auto out = lines_of(result.out);
  CHECK(out.size() == 3);
  for (const auto& line : out) CHECK(line.rfind("issued letsencrypt  names=", 0) == 0);
}

TEST_CASE("renew: one summary line when nothing is due, none with -q, json lines with fields") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  for (const std::string name : {"one.feedback.test", "two.feedback.test"}) {
    const auto issued = issue_standalone(pebble, store, {name});
    REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));
  }

  // --quiet: nothing at all. (This first look also fetches the certificates' ARI windows, which
  // are logged at info when first seen or moved: not what a quiet day is made of.)
  const auto quiet = run_acmectl(pebble, store, with_http(pebble, {"renew", "-q"}));
  REQUIRE_MESSAGE(quiet.exit_code == 0, describe(quiet));
  CHECK(quiet.err.empty());
  CHECK(quiet.out.empty());

  // A cron run with nothing due: one line, the summary.
  const auto quiet_day = run_acmectl(pebble, store, with_http(pebble, {"renew"}));
  REQUIRE_MESSAGE(quiet_day.exit_code == 0, describe(quiet_day));
  CHECK(quiet_day.out.empty());
  const auto day_lines = lines_of(quiet_day.err);
  REQUIRE(day_lines.size() == 1);
  CHECK(is_text_log_line(day_lines.front()));
  CHECK(contains(day_lines.front(), "acmectl: info: renew: 2 certificates in "));
  CHECK(contains(day_lines.front(), " s: 2 not due"));

  // -v shows the not-due ones as progress too.
  const auto verbose = run_acmectl(pebble, store, with_http(pebble, {"renew", "-v"}));
  REQUIRE_MESSAGE(verbose.exit_code == 0, describe(verbose));
  CHECK(lines_with(verbose.err, "acmectl: debug: 1/2 not due ").size() == 1);
  CHECK(lines_with(verbose.err, "acmectl: debug: 2/2 not due ").size() == 1);

  // --log-format json: every stderr line one JSON object with time, level and message.
  const auto json = run_acmectl(
      pebble, store,
      with_http(pebble, {"renew", "--force", "two.feedback.test", "--log-format", "json"}));
  REQUIRE_MESSAGE(json.exit_code == 0, describe(json));
  CHECK(json.out.rfind("renewed letsencrypt  names=two.feedback.test", 0) == 0);
  const auto parsed = json_lines(json.err);
  REQUIRE_FALSE(parsed.empty());
  static const std::regex time_pattern(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)");
  const nlohmann::json* progress = nullptr;
  const nlohmann::json* summary = nullptr;
  for (const auto& line : parsed) {
    INFO(line.dump());
    REQUIRE(line.contains("time"));
    CHECK(std::regex_match(line["time"].get<std::string>(), time_pattern));
    CHECK(line["level"].is_string());
    REQUIRE(line["message"].is_string());
    CHECK(line["resolver"] == "letsencrypt");  // every line of this run belongs to one resolver
    const std::string message = line["message"];
    if (message == "1/1 renewed two.feedback.test") progress = &line;
    if (message.rfind("renew: 1 certificate in ", 0) == 0) summary = &line;
  }
  REQUIRE(progress);
  CHECK((*progress)["level"] == "info");
  CHECK((*progress)["name"] == "two.feedback.test");
  CHECK((*progress)["result"] == "renewed");
  CHECK((*progress)["done"] == 1);
  CHECK((*progress)["total"] == 1);
  REQUIRE(summary);
  CHECK((*summary)["total"] == 1);
  CHECK((*summary)["renewed"] == 1);
  CHECK((*summary)["failed"] == 0);
  CHECK((*summary)["elapsed_ms"].is_number_integer());

  // The configuration file's key does the same; an unknown format is refused with its line.
  const auto config = dir / "acmectl.yaml";
  std::ofstream(config) << "log-format: json\n";
  const auto from_file =
      run_acmectl(pebble, store, with_http(pebble, {"renew", "--config", config.string()}));
  REQUIRE_MESSAGE(from_file.exit_code == 0, describe(from_file));
  const auto file_lines = json_lines(from_file.err);
  REQUIRE(file_lines.size() == 1);
  CHECK(file_lines[0]["not_due"] == 2);
  std::ofstream(config) << "log-format: xml\n";
  const auto refused =
      run_acmectl(pebble, store, with_http(pebble, {"renew", "--config", config.string()}));
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "--log-format \"xml\" is neither text nor json"));
}

TEST_CASE("a hook run is logged at -v with its exit status, duration and the end of its output") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto issued = issue_standalone(pebble, store, {"hook.feedback.test"});
  REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));
  // Output with a control character and a long stdout: escaped, and only its end shown.
  const std::string hook =
      "printf 'start%.0s' $(seq 300); echo ' the end'; printf 'warn\\033[31m red\\n' >&2";
  const auto quiet_hook =
      run_acmectl(pebble, store, with_http(pebble, {"renew", "--force", "--deploy-hook", hook}));
  REQUIRE_MESSAGE(quiet_hook.exit_code == 0, describe(quiet_hook));
  CHECK_FALSE(contains(quiet_hook.err, "deploy hook"));  // a hook that worked: no line by default

  const auto verbose = run_acmectl(
      pebble, store, with_http(pebble, {"renew", "--force", "-v", "--deploy-hook", hook}));
  REQUIRE_MESSAGE(verbose.exit_code == 0, describe(verbose));
  const auto ran =
      lines_with(verbose.err, "deploy hook for hook.feedback.test exited with status 0");
  REQUIRE(ran.size() == 1);
  INFO(ran.front());
  CHECK(is_text_log_line(ran.front()));
  CHECK(std::regex_search(ran.front(), std::regex(R"(status 0 after \d+\.\d\d s; stdout: ")")));
  CHECK(contains(ran.front(), "start the end\""));
  CHECK(contains(ran.front(), "stderr: \"warn\\x1b[31m red\""));
  CHECK(ran.front().size() < 1500);  // the end of 1,500 bytes of stdout, not all of it
  CHECK(count_occurrences(ran.front(), "start") < 150);

  // A failing hook: said at default verbosity, as before; in json with its exit status at -v.
  const auto failing =
      run_acmectl(pebble, store,
                  with_http(pebble, {"renew", "--force", "-v", "--log-format", "json",
                                     "--deploy-hook", "echo broke >&2; exit 3"}));
  CHECK(failing.exit_code == 12);
  bool run_logged = false;
  bool failure_logged = false;
  for (const auto& line : json_lines(failing.err)) {
    const std::string message = line["message"];
    if (contains(message, "deploy hook for hook.feedback.test exited with status 3 after")) {
      run_logged = true;
      CHECK(line["level"] == "debug");
      CHECK(line["exit_status"] == 3);
      CHECK(line["duration_ms"].is_number_integer());
      CHECK(line["hook"] == "deploy");
      CHECK(line["name"] == "hook.feedback.test");
      CHECK(contains(message, "stderr: \"broke\""));
    }
    if (message ==
        "deploy hook for hook.feedback.test exited with status 3: broke (the "
        "certificate is kept)") {
      failure_logged = true;
      CHECK(line["level"] == "error");
    }
  }
  CHECK(run_logged);
  CHECK(failure_logged);
}
