// SPDX-License-Identifier: Apache-2.0
// acmectl's dry runs and the server a store section belongs to (issue 13, item 6), against real
// Pebble: `issue --dry-run` and `renew --dry-run` do the whole exchange (Pebble finalizes an
// order) and store nothing; `renew --check` only lists what is due; a resolver section that
// belongs to one server refuses another, and another --resolver takes it.

#include <doctest/doctest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "acmecpp/certificate.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/temp_dir.hpp"
#include "support/text_count.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

/// Finalize requests Pebble has handled so far (its log has one line per request).
std::size_t finalized(const PebbleEnv& pebble) {
  return count_occurrences(pebble.pebble_log(), "POST /finalize-order/");
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("issue --dry-run orders from the CA, stores nothing and runs no deploy hook") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto hook_mark = dir / "hook-ran";
  const std::vector<std::string> hook{"--deploy-hook", "touch " + hook_mark.string()};

  SUBCASE("into a store that does not exist yet: it is still absent after") {
    // No account anywhere: one is registered in memory (the runner passes --agree-tos).
    const std::size_t before = finalized(pebble);
    auto args = issue_args(pebble, {"dry.example.test"}, hook);
    args.push_back("--dry-run");
    const auto run = run_acmectl(pebble, store, args);
    REQUIRE_MESSAGE(run.exit_code == 0, describe(run));
    CHECK_FALSE(std::filesystem::exists(store));
    CHECK(finalized(pebble) == before + 1);
    CHECK(contains(run.out, "issued letsencrypt  names=dry.example.test"));
    CHECK(contains(run.out, "dry run against " + pebble.directory_url() +
                                ": nothing was stored, no hook or export ran"));
    CHECK_FALSE(std::filesystem::exists(hook_mark));
  }

  SUBCASE("into an existing store: byte-identical after, even for names it holds") {
    const auto first = issue_standalone(pebble, store, {"held.example.test"});
    REQUIRE_MESSAGE(first.exit_code == 0, describe(first));
    const std::string before_text = read_text_file(store);
    const std::size_t before = finalized(pebble);
    for (const auto& name : {"held.example.test", "new.example.test"}) {
      auto args = issue_args(pebble, {name}, hook);
      args.push_back("--dry-run");
      const auto run = run_acmectl(pebble, store, args);
      REQUIRE_MESSAGE(run.exit_code == 0, describe(run));
      CHECK(contains(run.out, "nothing was stored"));
    }
    CHECK(read_text_file(store) == before_text);
    // A dry run always orders (the held one is not "kept"): two finalized orders.
    CHECK(finalized(pebble) == before + 2);
    CHECK_FALSE(std::filesystem::exists(hook_mark));
  }
}

TEST_CASE(
    "renew --dry-run renews a due certificate at the CA and stores nothing, --check asks none") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto fresh = issue_standalone(pebble, store, {"fresh.example.test"});
  REQUIRE_MESSAGE(fresh.exit_code == 0, describe(fresh));
  store_due_certificate(store, "due.example.test");
  const std::string before_text = read_text_file(store);
  const auto hook_mark = dir / "hook-ran";

  // --check: what is due, from the store alone. Pebble's log does not grow.
  const std::string log_before = pebble.pebble_log();
  const auto check = run_acmectl(pebble, store, {"renew", "--check"});
  REQUIRE_MESSAGE(check.exit_code == 0, describe(check));
  CHECK(check.out == "would renew due.example.test\n");
  CHECK(pebble.pebble_log() == log_before);
  CHECK(read_text_file(store) == before_text);

  const std::size_t before = finalized(pebble);
  const auto dry = run_acmectl(
      pebble, store,
      {"renew", "--dry-run", "--http-address", "127.0.0.1", "--http-port",
       std::to_string(pebble.http_port()), "--deploy-hook", "touch " + hook_mark.string()});
  REQUIRE_MESSAGE(dry.exit_code == 0, describe(dry));
  CHECK(finalized(pebble) == before + 1);  // the due one only
  CHECK(contains(dry.out, "renewed letsencrypt  names=due.example.test"));
  CHECK_FALSE(contains(dry.out, "fresh.example.test"));
  CHECK(contains(dry.out, "nothing was stored"));
  CHECK(read_text_file(store) == before_text);
  CHECK_FALSE(std::filesystem::exists(hook_mark));

  // The old meaning of --dry-run is gone: with --check it is a usage error.
  const auto both = run_acmectl(pebble, store, {"renew", "--dry-run", "--check"});
  CHECK(both.exit_code == 2);
}

TEST_CASE("a resolver section belongs to the first server used with it") {
  PebbleEnv pebble(counting_pebble_options());
  PebbleEnv other(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto first = issue_standalone(pebble, store, {"one.example.test"});
  REQUIRE_MESSAGE(first.exit_code == 0, describe(first));
  const auto document = nlohmann::json::parse(read_text_file(store));
  CHECK(document.at("letsencrypt").at("acmecpp").at("server") == pebble.directory_url());
  CHECK(AcmeJsonStore(store).load_server("letsencrypt") == pebble.directory_url());
  const std::string before_text = read_text_file(store);

  // The same section with the other CA: refused before anything is asked of it (exit 4).
  auto args = acmectl_argv(pebble, store,
                           {"issue", "two.example.test", "--http-address", "127.0.0.1",
                            "--http-port", std::to_string(other.http_port())});
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--server") args[i + 1] = other.directory_url();
  }
  const std::size_t other_orders = other.new_order_requests();
  const auto refused = run_process(args);
  CHECK_MESSAGE(refused.exit_code == 4, describe(refused));
  CHECK(contains(refused.err, pebble.directory_url()));
  CHECK(contains(refused.err, other.directory_url()));
  CHECK(contains(refused.err, "--resolver"));
  CHECK(read_text_file(store) == before_text);
  CHECK(other.new_order_requests() == other_orders);

  // Another section for the other CA works, and keeps its own server.
  args.insert(args.end(), {"--resolver", "other", "--ca-bundle", other.ca_bundle().string()});
  const auto elsewhere = run_process(args);
  REQUIRE_MESSAGE(elsewhere.exit_code == 0, describe(elsewhere));
  AcmeJsonStore reread(store);
  CHECK(reread.load_server("other") == other.directory_url());
  CHECK(reread.load_server("letsencrypt") == pebble.directory_url());
  CHECK(reread.certificates("other").size() == 1);
  CHECK(reread.load_account("letsencrypt")->uri !=
        reread.load_account("other")->uri);  // the first section's account was not re-pointed
}

TEST_CASE("a section with no recorded server adopts the first one used") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  // As Traefik writes it: a section without acmecpp's member.
  store_due_certificate(store, "old.example.test");
  CHECK(AcmeJsonStore(store).load_server("letsencrypt").empty());
  const auto renewed = run_acmectl(
      pebble, store,
      {"renew", "--http-address", "127.0.0.1", "--http-port", std::to_string(pebble.http_port())});
  REQUIRE_MESSAGE(renewed.exit_code == 0, describe(renewed));
  CHECK(AcmeJsonStore(store).load_server("letsencrypt") == pebble.directory_url());
}
