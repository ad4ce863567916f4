// SPDX-License-Identifier: Apache-2.0
// HTTP-01 solvers: the in-process handler, the standalone server (reached with the real curl
// client over 127.0.0.1) and the webroot files.

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"
#include "http/http_client.hpp"
#include "transport_test_support.hpp"

using acmecpp::ChallengeError;
using acmecpp::ChallengeTask;
using acmecpp::Error;
using acmecpp::ErrorKind;
using acmecpp::Http01Handler;
using acmecpp::Http01StandaloneSolver;
using acmecpp::Http01WebrootSolver;
namespace fs = std::filesystem;

namespace {

ChallengeTask task_for(const std::string& token, const std::string& key_authorization) {
  ChallengeTask task;
  task.type = "http-01";
  task.identifier = "example.com";
  task.token = token;
  task.key_authorization = key_authorization;
  return task;
}

const ChallengeTask kTask = task_for(
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA",
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ");

std::string challenge_path(const std::string& token) {
  return std::string(acmecpp::kHttp01PathPrefix) + token;
}

std::shared_ptr<acmecpp::http::HttpClient> test_client() {
  acmecpp::http::Options options;
  options.connect_timeout = std::chrono::milliseconds(2000);
  options.total_timeout = std::chrono::milliseconds(5000);
  return acmecpp::http::make_curl_http_client(options);
}

std::string url_of(std::uint16_t port, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

mode_t permissions_of(const fs::path& path) {
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

}  // namespace

TEST_CASE("challenge tokens must be non-empty base64url") {
  CHECK(acmecpp::is_valid_challenge_token(kTask.token));
  CHECK(acmecpp::is_valid_challenge_token("AZaz09-_"));
  CHECK_FALSE(acmecpp::is_valid_challenge_token(""));
  CHECK_FALSE(acmecpp::is_valid_challenge_token("../etc/passwd"));
  CHECK_FALSE(acmecpp::is_valid_challenge_token("a/b"));
  CHECK_FALSE(acmecpp::is_valid_challenge_token("a.b"));
  CHECK_FALSE(acmecpp::is_valid_challenge_token("abc="));
  CHECK_FALSE(acmecpp::is_valid_challenge_token("a b"));
  CHECK_FALSE(acmecpp::is_valid_challenge_token(std::string("a\0b", 3)));
}

TEST_CASE("the handler answers exactly the presented challenge paths") {
  Http01Handler handler;
  CHECK(handler.type() == "http-01");
  CHECK_FALSE(handler.response(challenge_path(kTask.token)).has_value());

  handler.present(kTask);
  CHECK(handler.response(challenge_path(kTask.token)) == kTask.key_authorization);
  CHECK(handler.response(challenge_path(kTask.token) + "?x=1") == kTask.key_authorization);
  CHECK_FALSE(handler.response(challenge_path("unknownToken")).has_value());
  CHECK_FALSE(handler.response(challenge_path(kTask.token) + "/").has_value());
  CHECK_FALSE(handler.response(challenge_path(kTask.token) + "x").has_value());
  CHECK_FALSE(handler.response("/" + kTask.token).has_value());
  CHECK_FALSE(handler.response("/.well-known/acme-challenge/").has_value());

  handler.cleanup(kTask);
  CHECK_FALSE(handler.response(challenge_path(kTask.token)).has_value());
  handler.cleanup(kTask);  // a second cleanup is harmless
}

TEST_CASE("the handler counts presentations of the same token") {
  Http01Handler handler;
  handler.present(kTask);
  handler.present(kTask);
  handler.cleanup(kTask);
  CHECK(handler.response(challenge_path(kTask.token)) == kTask.key_authorization);
  handler.cleanup(kTask);
  CHECK_FALSE(handler.response(challenge_path(kTask.token)).has_value());
}

TEST_CASE("the handler refuses a second key authorization for a presented token") {
  Http01Handler handler;
  handler.present(kTask);
  const ChallengeTask other = task_for(kTask.token, kTask.token + ".otherThumbprint");
  try {
    handler.present(other);
    FAIL("expected a ChallengeError");
  } catch (const ChallengeError& error) {
    CHECK(std::string(error.what()).find(kTask.token) != std::string::npos);
    CHECK(std::string(error.what()).find("otherThumbprint") == std::string::npos);
  }
  handler.cleanup(other);  // cleanup follows even a failed present(); it must not withdraw kTask
  CHECK(handler.response(challenge_path(kTask.token)) == kTask.key_authorization);
}

TEST_CASE("the handler refuses tokens that are not base64url") {
  Http01Handler handler;
  CHECK_THROWS_WITH_AS(handler.present(task_for("../etc/passwd", "secret")),
                       "invalid HTTP-01 token \"../etc/passwd\": only base64url characters "
                       "(A-Z a-z 0-9 - _) are allowed",
                       ChallengeError);
}

TEST_CASE("the standalone solver serves while a challenge is presented") {
  const std::uint16_t port = acmecpp::test::unused_loopback_port();
  const auto client = test_client();
  Http01StandaloneSolver solver("127.0.0.1", port);
  CHECK(solver.type() == "http-01");
  const ChallengeTask second = task_for("secondToken", "secondToken.thumbprint");

  solver.present(kTask);
  solver.present(second);
  const auto answer = client->get(url_of(port, challenge_path(kTask.token)));
  CHECK(answer.status == 200);
  CHECK(answer.body == kTask.key_authorization);
  CHECK(answer.header("Content-Type") == "application/octet-stream");
  CHECK(client->get(url_of(port, challenge_path("unknownToken"))).status == 404);

  solver.cleanup(kTask);  // one challenge left: still serving
  CHECK(client->get(url_of(port, challenge_path(kTask.token))).status == 404);
  CHECK(client->get(url_of(port, challenge_path(second.token))).body == second.key_authorization);

  solver.cleanup(second);  // the last one: the port is closed
  const auto stopped = [&] { client->get(url_of(port, challenge_path(second.token))); };
  CHECK_THROWS_AS(stopped(), Error);

  solver.present(kTask);  // and it starts again on the same port
  CHECK(client->get(url_of(port, challenge_path(kTask.token))).status == 200);
  solver.cleanup(kTask);
}

TEST_CASE("the standalone solver stops when destroyed") {
  const std::uint16_t port = acmecpp::test::unused_loopback_port();
  const auto client = test_client();
  {
    Http01StandaloneSolver solver("127.0.0.1", port);
    solver.present(kTask);
    CHECK(client->get(url_of(port, challenge_path(kTask.token))).status == 200);
  }
  CHECK_THROWS_AS(client->get(url_of(port, challenge_path(kTask.token))), Error);
}

TEST_CASE("the standalone solver reports a port that is in use") {
  const acmecpp::test::LoopbackListener busy;
  Http01StandaloneSolver solver("127.0.0.1", busy.port());
  try {
    solver.present(kTask);
    FAIL("expected a ChallengeError");
  } catch (const ChallengeError& error) {
    const std::string message = error.what();
    CHECK(message == "cannot listen for HTTP-01 on 127.0.0.1:" + std::to_string(busy.port()) +
                         ": Address already in use");
    CHECK(message.find(kTask.key_authorization) == std::string::npos);
  }
  solver.cleanup(kTask);  // after a failed present(): nothing to do, and no crash
}

TEST_CASE("the standalone solver needs a numeric address") {
  Http01StandaloneSolver solver("localhost", acmecpp::test::unused_loopback_port());
  CHECK_THROWS_AS(solver.present(kTask), ChallengeError);
}

TEST_CASE("the webroot solver writes and removes the token file") {
  const acmecpp::test::TemporaryDirectory root;
  Http01WebrootSolver solver(root.path().string());
  CHECK(solver.type() == "http-01");
  const fs::path directory = root.path() / ".well-known" / "acme-challenge";
  const fs::path file = directory / kTask.token;

  solver.present(kTask);
  CHECK(read_file(file) == kTask.key_authorization);
  CHECK(permissions_of(file) == 0644);
  CHECK(permissions_of(directory) == 0755);
  CHECK(permissions_of(directory.parent_path()) == 0755);
  // Only the token file: the temporary file was renamed into place.
  CHECK(std::distance(fs::directory_iterator(directory), fs::directory_iterator()) == 1);

  solver.present(kTask);  // again (e.g. a retry): replaces the file atomically
  CHECK(read_file(file) == kTask.key_authorization);

  solver.cleanup(kTask);
  CHECK_FALSE(fs::exists(file));
  CHECK(fs::is_directory(directory));  // directories stay (see http01_webroot_solver.cpp)
  solver.cleanup(kTask);               // nothing left to remove: harmless
}

TEST_CASE("the webroot solver refuses unsafe tokens and a missing root") {
  const acmecpp::test::TemporaryDirectory root;
  Http01WebrootSolver solver(root.path().string());
  CHECK_THROWS_WITH_AS(solver.present(task_for("../etc/passwd", "secret")),
                       doctest::Contains("invalid HTTP-01 token \"../etc/passwd\""),
                       ChallengeError);
  CHECK_THROWS_WITH_AS(solver.present(task_for("a/b", "secret")),
                       doctest::Contains("invalid HTTP-01 token \"a/b\""), ChallengeError);
  CHECK_FALSE(fs::exists(root.path() / ".well-known"));

  const std::string missing = (root.path() / "absent").string();
  Http01WebrootSolver nowhere(missing);
  CHECK_THROWS_WITH_AS(nowhere.present(kTask),
                       ("cannot use webroot " + missing + ": No such file or directory").c_str(),
                       ChallengeError);
}
