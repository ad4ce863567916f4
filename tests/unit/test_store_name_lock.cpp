// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "acmecpp/store.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace std::chrono_literals;

TEST_CASE("a name lock excludes other holders of the same name, not of other names") {
  acmecpp::testing::TempDir dir;
  AcmeJsonStore store((dir / "acme.json").string());
  auto first = store.lock_name("letsencrypt", "api.example.test", 0ms);
  REQUIRE(first != nullptr);
  CHECK(store.lock_name("letsencrypt", "api.example.test", 120ms) == nullptr);
  CHECK(store.lock_name("letsencrypt", "www.example.test", 0ms) != nullptr);
  CHECK(store.lock_name("other", "api.example.test", 0ms) != nullptr);
  CHECK(store.lock_name("letsencrypt", "*.example.test", 0ms) != nullptr);
  first.reset();
  CHECK(store.lock_name("letsencrypt", "api.example.test", 0ms) != nullptr);
  // Lock files stay inside the locks directory whatever the names hold.
  CHECK(store.lock_name("../../escape", "a/b", 0ms) != nullptr);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const auto name = entry.path().filename().string();
    CHECK_MESSAGE((name == "acme.json.lock" || name == "acme.json.locks"), name);
  }
}

TEST_CASE("a name lock held by another process is waited for, then given up") {
  acmecpp::testing::TempDir dir;
  const std::string path = (dir / "acme.json").string();
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    AcmeJsonStore store(path);
    auto lock = store.lock_name("r", "held.example.test", 0ms);
    const char byte = lock ? 'y' : 'n';
    (void)!write(ready[1], &byte, 1);
    usleep(600 * 1000);
    _exit(0);
  }
  char byte = 0;
  REQUIRE(read(ready[0], &byte, 1) == 1);
  REQUIRE(byte == 'y');
  AcmeJsonStore store(path);
  CHECK(store.lock_name("r", "held.example.test", 100ms) == nullptr);
  // The child exits after 600 ms, releasing the lock; waiting long enough gets it.
  CHECK(store.lock_name("r", "held.example.test", 5000ms) != nullptr);
  int status = 0;
  waitpid(child, &status, 0);
  close(ready[0]);
  close(ready[1]);
}
