// SPDX-License-Identifier: Apache-2.0
// acmectl's YAML configuration file: settings at the top level and per resolver, ${VAR}
// expansion for secrets, flags winning over the file, and clear errors for mistakes.

#include <doctest/doctest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "acmectl_runner.hpp"
#include "support/free_port.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

ProcessResult acmectl_with(const std::string& config, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv{ACMECPP_ACMECTL_PATH, "--config", config};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.env = env;
  return run_process(argv, options);
}

}  // namespace

TEST_CASE(
    "a configuration file drives issue; flags win over it; secrets come from the environment") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto config = dir / "acmectl.yaml";
  write_text_file(config, "store: " + store + "\n" +
                              "server: ${TEST_ACME_SERVER}\n"
                              "ca_bundle: " +
                              pebble.ca_bundle().string() + "\n" +
                              "email: config@example.test\n"
                              "agree-tos: true\n"
                              "account-key-type: ec256\n"
                              "key-type: rsa2048\n"
                              "resolver: pebble\n"
                              "resolvers:\n"
                              "  pebble:\n"
                              "    http-address: 127.0.0.1\n"
                              "    http-port: " +
                              std::to_string(pebble.http_port()) + "\n");
  const std::map<std::string, std::string> env{{"TEST_ACME_SERVER", pebble.directory_url()}};

  const auto from_file =
      acmectl_with(config.string(), {"issue", "file.example.test", "--json"}, env);
  REQUIRE_MESSAGE(from_file.exit_code == 0, describe(from_file));
  const auto issued = nlohmann::json::parse(from_file.out);
  CHECK(issued["resolver"] == "pebble");
  CHECK(issued["key_type"] == "rsa2048");

  const auto overridden = acmectl_with(
      config.string(), {"issue", "flag.example.test", "--json", "--key-type", "ec384"}, env);
  REQUIRE_MESSAGE(overridden.exit_code == 0, describe(overridden));
  CHECK(nlohmann::json::parse(overridden.out)["key_type"] == "ec384");

  const auto unset = acmectl_with(config.string(), {"issue", "x.example.test"});
  CHECK(unset.exit_code == 4);
  CHECK(unset.err.find("environment variable TEST_ACME_SERVER is not set") != std::string::npos);
}

TEST_CASE("configuration mistakes are named") {
  TempDir dir;
  const auto config = dir / "bad.yaml";
  write_text_file(config, "email: a@example.test\nhttp-prot: 80\n");
  const auto typo = acmectl_with(config.string(), {"list"});
  CHECK(typo.exit_code == 4);
  CHECK(typo.err.find(config.string() + ":2: unknown key \"http-prot\"") != std::string::npos);

  write_text_file(config, "http-port: eighty\n");
  const auto type = acmectl_with(config.string(), {"list"});
  CHECK(type.exit_code == 4);
  CHECK(type.err.find(config.string() + ":1: http-port: expected a port number, got \"eighty\"") !=
        std::string::npos);

  // A value is checked when the file is read, also under a resolver not used by the command.
  write_text_file(config, "resolvers:\n  other:\n    agree-tos: maybe\n");
  const auto nested = acmectl_with(config.string(), {"list"});
  CHECK(nested.exit_code == 4);
  CHECK(nested.err.find(config.string() +
                        ":3: resolvers.other.agree-tos: expected true or false, got \"maybe\"") !=
        std::string::npos);

  write_text_file(config, "email: [unclosed\n");
  const auto syntax = acmectl_with(config.string(), {"list"});
  CHECK(syntax.exit_code == 4);
  CHECK(syntax.err.find("line ") != std::string::npos);

  const auto missing = acmectl_with((dir / "none.yaml").string(), {"list"});
  CHECK(missing.exit_code == 4);
  CHECK(missing.err.find("cannot read the configuration file") != std::string::npos);
}

TEST_CASE("a key that is a list or a mapping is a configuration error naming file and line") {
  TempDir dir;
  const auto config = dir / "keys.yaml";
  const std::pair<std::string, std::string> cases[] = {
      {"email: a@example.test\n[a, b]: x\n", ":2: "},
      {"resolvers:\n  le:\n    {x: 1}: y\n", ":3: "},
      {"resolvers:\n  [le]: {}\n", ":2: "},
      {"certificates:\n  - names: [a.example.test]\n    ? [c]\n    : d\n", ":3: "},
  };
  for (const auto& [text, line] : cases) {
    CAPTURE(text);
    write_text_file(config, text);
    const auto result = acmectl_with(config.string(), {"list"});
    CHECK(result.exit_code == 4);
    CHECK(result.err.find("acmectl: error: " + config.string() + line +
                          "a key must be a plain name, not a list or mapping") !=
          std::string::npos);
    CHECK(result.err.find("unexpected") == std::string::npos);
  }
}

TEST_CASE("acmectl run keeps its configuration when a reload reads a bad file") {
  TempDir dir;
  const auto config = dir / "acmectl.yaml";
  // A CA nobody listens on: each check fails at once, which is all this test needs.
  const std::string good = "store: " + (dir / "acme.json").string() +
                           "\nserver: https://127.0.0.1:" + std::to_string(free_tcp_port()) +
                           "/dir\nagree-tos: true\ncertificates:\n  - names: [keep.example.test]\n";
  write_text_file(config, good);
  ChildProcess run({ACMECPP_ACMECTL_PATH, "run", "--config", config.string(), "--interval", "3600"},
                   {}, dir / "run.log");
  // Whether the log says `text` at least `count` times within 60 s (sooner false once run ended).
  const auto log_holds = [&](const std::string& text, std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      const bool ended = !run.running();
      const std::string log = read_text_file(dir / "run.log");
      std::size_t found = 0;
      for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++found;
      if (found >= count) return true;
      if (ended || std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  INFO("acmectl run said:\n" << read_text_file(dir / "run.log"));
  REQUIRE(log_holds("check done", 1));

  const std::string bad_files[] = {"[a, b]: x\n", "http-port: eighty\n", "store: [unclosed\n"};
  std::size_t reloads = 0;
  for (const auto& bad : bad_files) {
    CAPTURE(bad);
    write_text_file(config, good + bad);
    run.kill(SIGHUP);
    ++reloads;
    CHECK(log_holds("keeping the previous configuration", reloads));
    CHECK(log_holds("check done", reloads + 1));
    CHECK(run.running());
  }
  const std::string log = read_text_file(dir / "run.log");
  CHECK(log.find("a key must be a plain name") != std::string::npos);
  CHECK(log.find("configuration reloaded") == std::string::npos);

  run.kill(SIGTERM);
  const auto status = run.wait(std::chrono::seconds(20));
  REQUIRE(status.has_value());
  CHECK(status->exit_code == 0);
}
