// acmectl's YAML configuration file: settings at the top level and per resolver, ${VAR}
// expansion for secrets, flags winning over the file, and clear errors for mistakes.

#include <doctest/doctest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "acmectl_runner.hpp"
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
  CHECK(typo.err.find(config.string() + ": unknown key \"http-prot\"") != std::string::npos);

  write_text_file(config, "http-port: eighty\n");
  const auto type = acmectl_with(config.string(), {"list"});
  CHECK(type.exit_code == 4);
  CHECK(type.err.find("http-port: expected a port number, got \"eighty\"") != std::string::npos);

  write_text_file(config, "email: [unclosed\n");
  const auto syntax = acmectl_with(config.string(), {"list"});
  CHECK(syntax.exit_code == 4);
  CHECK(syntax.err.find("line ") != std::string::npos);

  const auto missing = acmectl_with((dir / "none.yaml").string(), {"list"});
  CHECK(missing.exit_code == 4);
  CHECK(missing.err.find("cannot read the configuration file") != std::string::npos);
}
