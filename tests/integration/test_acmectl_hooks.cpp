// SPDX-License-Identifier: Apache-2.0
// acmectl's hooks when things go wrong around them: a hook that cannot run, and a CA error far
// larger than an environment variable may be (issue 14, defect 3: it aborted renew and made
// issue exit 4).

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/ari_server.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool stored(const std::string& store, const std::string& main) {
  for (const auto& c : AcmeJsonStore(store).certificates("letsencrypt")) {
    if (c.main == main) return true;
  }
  return false;
}

/// acmectl with `args` against the stand-in CA at `directory` (trusted like Pebble).
ProcessResult acmectl_at(const PebbleEnv& pebble, const std::string& directory,
                         const std::string& store, std::vector<std::string> args) {
  std::vector<std::string> argv{ACMECPP_ACMECTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(),
              {"--server", directory, "--ca-bundle", pebble.ca_bundle().string(), "--store", store,
               "--email", "ops@example.test", "--agree-tos", "--account-key-type", "ec256",
               "--http-address", "127.0.0.1", "--http-port", std::to_string(pebble.http_port())});
  ProcessOptions options;
  options.timeout = 120s;
  return run_process(argv, options);
}

/// A failure hook that saves what it was given in ACMECPP_ERROR.
std::string saving_hook(const std::filesystem::path& file) {
  return "printf %s \"$ACMECPP_ERROR\" > '" + file.string() + "'";
}

}  // namespace

TEST_CASE("a deploy hook that is missing or not executable is a hook failure: exit 12, named") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const std::string missing = (dir / "no-such-hook").string();
  const auto without =
      issue_standalone(pebble, store, {"missing-hook.example.test"}, {"--deploy-hook", missing});
  CHECK_MESSAGE(without.exit_code == 12, describe(without));
  CHECK(contains(without.err, "deploy hook for missing-hook.example.test exited with status 127"));
  CHECK(contains(without.err, "not found"));
  CHECK(contains(without.err, "(the certificate is kept)"));
  CHECK(stored(store, "missing-hook.example.test"));

  const std::string not_executable = (dir / "hook.sh").string();
  write_text_file(not_executable, "#!/bin/sh\nexit 0\n");
  REQUIRE(::chmod(not_executable.c_str(), 0600) == 0);
  const auto denied = issue_standalone(pebble, store, {"denied-hook.example.test"},
                                       {"--deploy-hook", not_executable});
  CHECK_MESSAGE(denied.exit_code == 12, describe(denied));
  CHECK(contains(denied.err, "deploy hook for denied-hook.example.test exited with status 126"));
  CHECK(contains(denied.err, "Permission denied"));
  CHECK(stored(store, "denied-hook.example.test"));
}

TEST_CASE("a CA error of 2 MB reaches the failure hook truncated, and issue and renew report it") {
  PebbleEnv pebble;
  // Pebble cannot be made to send a long error: the ARI stand-in in front of it answers newOrder
  // with a problem whose detail is 2 MB, 16 times what the kernel takes in one variable.
  AriServer ca(pebble);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto account =
      acmectl_at(pebble, ca.directory_url(), store, {"issue", "fresh.example.test"});
  REQUIRE_MESSAGE(account.exit_code == 0, describe(account));
  store_due_certificate(store, "due.example.test");

  const std::string detail = "the CA says no: " + std::string(2 * 1024 * 1024, 'x');
  ca.set_new_order_problem(detail);
  const auto seen_by_issue = dir / "issue-hook.txt";
  const auto issue = acmectl_at(
      pebble, ca.directory_url(), store,
      {"issue", "refused.example.test", "-q", "--failure-hook", saving_hook(seen_by_issue)});
  // The CA's error (exit 6), not a configuration error about the hook (exit 4).
  CHECK_MESSAGE(issue.exit_code == 6, describe(issue).substr(0, 2000));
  CHECK(contains(issue.err, "rejectedIdentifier"));
  REQUIRE(std::filesystem::exists(seen_by_issue));
  const std::string value = read_text_file(seen_by_issue);
  CHECK(value.size() <= 4096);
  CHECK(contains(value, "the CA says no: xxx"));
  // Bounded where the CA's text enters the error (printable_text, 1,000 bytes a part), before
  // the hook's own 4 KiB bound (test_hooks.cpp checks that one with a 10 MB value).
  CHECK(contains(value, "\xE2\x80\xA6 ["));
  CHECK(contains(value, " more bytes]"));

  const auto seen_by_renew = dir / "renew-hook.txt";
  const auto renew = acmectl_at(pebble, ca.directory_url(), store,
                                {"renew", "--failure-hook", saving_hook(seen_by_renew)});
  // One certificate could not be renewed (exit 11), not SIGABRT (134).
  CHECK_MESSAGE(renew.exit_code == 11, describe(renew).substr(0, 2000));
  CHECK(renew.term_signal == 0);
  REQUIRE(std::filesystem::exists(seen_by_renew));
  const std::string renew_value = read_text_file(seen_by_renew);
  CHECK(renew_value.size() <= 4096);
  CHECK(contains(renew_value, " more bytes]"));
  CHECK(stored(store, "due.example.test"));  // the old certificate is kept
}
