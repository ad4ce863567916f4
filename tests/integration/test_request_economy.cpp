// SPDX-License-Identifier: Apache-2.0
// How many requests an issuance costs against a real Pebble, counted twice: by the client
// (RequestStats) and by Pebble, which logs one "-> calling handler()" line per request. Also the
// directory kept between processes, and what happens when that copy is stale.

#include <doctest/doctest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/free_port.hpp"
#include "support/issuing_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/text_count.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

/// Requests Pebble has handled so far.
std::size_t pebble_requests(const PebbleEnv& pebble) {
  return count_occurrences(pebble.pebble_log(), "-> calling handler()");
}

/// Pebble counting exactly: no random badNonce, no reused authorizations.

std::string directory_cache_of(const IssuingFixture& f) {
  return f.store_path() + ".directory.json";
}

/// The directory cache of `f` pointing every resource at `base` + its usual path.
void write_stale_cache(const IssuingFixture& f, const std::string& base) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const nlohmann::json entry = {{"directory_url", f.pebble.directory_url()},
                                {"fetched_at", now},
                                {"directory",
                                 {{"newNonce", base + "/nonce-plz"},
                                  {"newAccount", base + "/sign-me-up"},
                                  {"newOrder", base + "/order-plz"},
                                  {"revokeCert", base + "/revoke-cert"},
                                  {"keyChange", base + "/rollover-account-key"}}}};
  write_text_file(directory_cache_of(f), entry.dump());
}

/// Answers HTTP-01 for every name but `refused`, for which it serves a wrong proof.
class AllButOne : public Solver {
 public:
  AllButOne(std::shared_ptr<Http01Handler> inner, std::string refused)
      : inner_(std::move(inner)), refused_(std::move(refused)) {}
  std::string type() const override { return "http-01"; }
  void present(const ChallengeTask& task) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tokens_.push_back(task.token);
    }
    inner_->present(served(task));
  }
  void cleanup(const ChallengeTask& task) noexcept override { inner_->cleanup(served(task)); }
  ChallengeTask served(const ChallengeTask& task) const {
    ChallengeTask result = task;
    if (task.identifier == refused_) result.key_authorization = task.token + ".wrong";
    return result;
  }
  std::vector<std::string> tokens() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return tokens_;
  }

 private:
  std::shared_ptr<Http01Handler> inner_;
  std::string refused_;
  mutable std::mutex mutex_;
  std::vector<std::string> tokens_;
};

}  // namespace

TEST_CASE("one name with a stored account and a cached directory: at most 8 requests") {
  IssuingFixture f(counting_pebble_options());
  auto config = f.config();
  {
    CertManager first(config);  // registers the account and keeps the directory
    first.ensure_account();
  }
  config.store = std::make_shared<AcmeJsonStore>(f.store_path());
  CertManager manager(config);
  const std::size_t before = pebble_requests(f.pebble);
  manager.obtain({"economy.example.test"});
  const auto stats = manager.request_stats();
  // newNonce, newOrder, authorization, challenge, order poll (ready), finalize, order poll
  // (valid), certificate: the directory comes from the cache, the account from the store, and
  // each poll comes 15 ms after the step it waits for, when Pebble is usually done. A busy
  // machine can make Pebble slower than that: a poll that finds it still working costs one
  // more request, which `polls` shows.
  MESSAGE("requests: " << stats.requests << ", of which polls: " << stats.polls);
  CHECK(pebble_requests(f.pebble) - before == stats.requests);
  CHECK(stats.bad_nonce_retries == 0);
  CHECK(stats.requests - stats.polls == 6);
  CHECK(stats.polls >= 2);
  CHECK(stats.requests <= 8);
}

TEST_CASE("an issuance without a cached directory fetches it once") {
  IssuingFixture f(counting_pebble_options());
  auto config = f.config();
  config.acme.directory_cache_max_age = std::chrono::seconds(0);  // no cache
  CertManager manager(config);
  manager.obtain({"uncached.example.test"});
  const auto stats = manager.request_stats();
  // directory, newNonce, newAccount, newOrder, authorization, challenge, finalize, certificate
  // and the polls.
  CHECK(stats.requests - stats.polls == 8);
  CHECK(f.pebble.pebble_log().find("GET /dir -> calling handler()") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(directory_cache_of(f)));
}

TEST_CASE("50 names: each authorization fetched and answered once, one poll loop for all") {
  // The library's own HTTP-01 server, as acmectl --http-port uses it: Pebble validates the 50
  // names with 150 connections at once, which it must take without dropping any.
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  auto config = pebble_manager_config(pebble, dir / "acme.json", nullptr);
  config.solvers = {std::make_shared<Http01StandaloneSolver>("127.0.0.1", pebble.http_port())};
  CertManager manager(config);
  manager.ensure_account();
  const auto setup = manager.request_stats();
  std::vector<std::string> names;
  for (int i = 1; i <= 50; ++i) names.push_back("n" + std::to_string(i) + ".many.example.test");
  const auto started = std::chrono::steady_clock::now();
  const auto issued = manager.obtain(names);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  CHECK(issued.info.dns_names.size() == 50);
  const auto stats = manager.request_stats();
  const std::size_t requests = stats.requests - setup.requests;
  const std::size_t polls = stats.polls - setup.polls;
  MESSAGE("50 names: " << requests << " requests (" << polls << " polls) in " << seconds.count()
                       << " s");
  CHECK(stats.bad_nonce_retries == 0);
  // newOrder, 50 authorizations, 50 challenges, finalize, certificate; newNonce at most once for
  // each of the 4 requests in flight at once (later ones reuse the nonces responses bring).
  CHECK(requests - polls <= 1 + 50 + 50 + 1 + 1 + 4);
  // Polls of the order only, waiting 15, 30, 60 ... ms: six polls give Pebble about a second to
  // validate all 50 names (it takes about 0.1 s) and sign. One poll loop per authorization made
  // hundreds; a validator made to retry dropped connections (a second each) needed eight.
  CHECK(polls <= 6);
}

TEST_CASE("a stale cached directory is replaced by the server's and the request sent again") {
  IssuingFixture f(counting_pebble_options());
  auto config = f.config();
  {
    CertManager first(config);
    first.ensure_account();
  }
  const std::string base = f.pebble.directory_url().substr(0, f.pebble.directory_url().rfind('/'));

  SUBCASE("URLs the server does not have (404)") {
    write_stale_cache(f, base + "/moved");
  }
  SUBCASE("a server that is gone (connection refused)") {
    write_stale_cache(f, "https://127.0.0.1:" + std::to_string(free_tcp_port()));
  }
  config.store = std::make_shared<AcmeJsonStore>(f.store_path());
  CertManager manager(config);
  const auto issued = manager.obtain({"stale.example.test"});
  CHECK(issued.record.main == "stale.example.test");
  // The cache now holds the server's directory.
  const auto cached = nlohmann::json::parse(read_text_file(directory_cache_of(f)));
  CHECK(cached["directory"]["newOrder"] == base + "/order-plz");
}

TEST_CASE("when one of several authorizations fails, the error names it") {
  PebbleOptions options = counting_pebble_options();
  IssuingFixture f(options);
  auto config = f.config();
  const auto solver = std::make_shared<AllButOne>(f.http01, "bad.several.example.test");
  config.solvers = {solver};
  CertManager manager(config);
  try {
    manager.obtain(
        {"good.several.example.test", "bad.several.example.test", "fine.several.example.test"});
    FAIL("the order should have failed");
  } catch (const ChallengeError& e) {
    const std::string message = e.what();
    CHECK_MESSAGE(message.find("bad.several.example.test") != std::string::npos, message);
    CHECK(e.problem().type.find("unauthorized") != std::string::npos);
  }
  // All three were presented, and every one withdrawn.
  const auto tokens = solver->tokens();
  CHECK(tokens.size() == 3);
  for (const auto& token : tokens) {
    CHECK_FALSE(f.http01->response(std::string(kHttp01PathPrefix) + token).has_value());
  }
}
