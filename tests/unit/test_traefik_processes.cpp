// SPDX-License-Identifier: Apache-2.0
// traefik_processes_using(): a stand-in process named traefik (a shell script: Traefik itself is
// not installed here; what is read is the process's name, arguments, environment and files in
// /proc, which the script presents as Traefik would) that names an acme.json as its storage in
// each of the ways Traefik accepts, and one that names another file.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>

#include <sstream>

#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "tools/traefik_processes.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

/// An executable script DIR/traefik that waits until killed.
std::string fake_traefik(const TempDir& dir) {
  const auto path = dir / "bin" / "traefik";
  std::filesystem::create_directories(path.parent_path());
  write_text_file(path, "#!/bin/sh\nwhile :; do sleep 1; done\n");
  ::chmod(path.c_str(), 0755);
  return path.string();
}

bool named_traefik(pid_t pid) {
  return read_text_file("/proc/" + std::to_string(pid) + "/comm") == "traefik\n";
}

/// The users of `store` once the started process shows as traefik.
std::vector<TraefikStorageUser> users_once_started(const ChildProcess& child,
                                                   const std::string& store) {
  REQUIRE(eventually([&child] { return named_traefik(child.pid()); }, 10s));
  return traefik_processes_using(store);
}

}  // namespace

TEST_CASE("a traefik process naming the store in its arguments is found, another file is not") {
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  write_text_file(store, "{}");
  CHECK(traefik_processes_using(store).empty());
  ChildProcess traefik({fake_traefik(dir), "--entrypoints.websecure.address=:443",
                        "--certificatesresolvers.le.acme.storage=" + store});
  const auto users = users_once_started(traefik, store);
  REQUIRE(users.size() == 1);
  CHECK(users[0].pid == traefik.pid());
  CHECK(users[0].resolver == "le");
  CHECK(users[0].source == "--certificatesresolvers.le.acme.storage");
  // Another acme.json is not this Traefik's.
  write_text_file(dir / "other.json", "{}");
  CHECK(traefik_processes_using((dir / "other.json").string()).empty());
  traefik.kill(SIGKILL);
  traefik.wait(5s);
  CHECK(traefik_processes_using(store).empty());
}

TEST_CASE("a child Traefik forked and that runs no other program is the same Traefik, once") {
  // A forked child shows its parent's name, arguments and environment until it runs another
  // program; a shell forks for every command (the stand-in's sleep once made this test and the
  // ones around it see two Traefiks now and then). Here the child is a subshell that never runs
  // another program, so it stays a copy for as long as the test looks.
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  write_text_file(store, "{}");
  const auto path = dir / "bin" / "traefik";
  std::filesystem::create_directories(path.parent_path());
  write_text_file(path, "#!/bin/sh\n(while :; do sleep 1; done) &\nwait\n");
  ::chmod(path.c_str(), 0755);
  ChildProcess traefik({path.string(), "--certificatesresolvers.le.acme.storage=" + store});
  const auto children_of = [&] {
    return read_text_file("/proc/" + std::to_string(traefik.pid()) + "/task/" +
                          std::to_string(traefik.pid()) + "/children");
  };
  REQUIRE(eventually([&] { return named_traefik(traefik.pid()) && !children_of().empty(); }, 10s));
  const auto users = traefik_processes_using(store);
  REQUIRE(users.size() == 1);
  CHECK(users[0].pid == traefik.pid());
  const std::string children = children_of();  // the subshell, which outlives its parent's kill
  traefik.kill(SIGKILL);
  traefik.wait(5s);
  std::istringstream pids(children);
  for (pid_t child = 0; pids >> child;) ::kill(child, SIGKILL);
}

TEST_CASE("a relative storage path, a flag in another case, the environment, a config file") {
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  write_text_file(store, "{}");
  const std::string program = fake_traefik(dir);
  ProcessOptions in_dir;
  in_dir.working_dir = dir.path();

  SUBCASE("relative to its working directory, value as the next argument") {
    ChildProcess traefik({program, "--certificatesResolvers.Staging.acme.storage", "acme.json"},
                         in_dir);
    const auto users = users_once_started(traefik, store);
    REQUIRE(users.size() == 1);
    CHECK(users[0].resolver == "staging");
  }
  SUBCASE("the environment") {
    ProcessOptions with_env = in_dir;
    with_env.env["TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_STORAGE"] = store;
    ChildProcess traefik({program}, with_env);
    const auto users = users_once_started(traefik, store);
    REQUIRE(users.size() == 1);
    CHECK(users[0].resolver == "le");
    CHECK(users[0].source == "TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_STORAGE");
  }
  SUBCASE("its static configuration file") {
    const auto config = dir / "static.yml";
    write_text_file(config,
                    "certificatesResolvers:\n  le:\n    acme:\n      email: a@example.test\n"
                    "      storage: \"" +
                        store + "\"  # the store\n");
    ChildProcess traefik({program, "--configFile=" + config.string()}, in_dir);
    const auto users = users_once_started(traefik, store);
    REQUIRE(users.size() == 1);
    CHECK(users[0].source == config.string());
  }
  SUBCASE("traefik.toml in its working directory") {
    write_text_file(dir / "traefik.toml",
                    "[certificatesResolvers.le.acme]\n  storage = \"acme.json\"\n");
    ChildProcess traefik({program}, in_dir);
    CHECK(users_once_started(traefik, store).size() == 1);
  }
  SUBCASE("a process with these arguments that is not traefik") {
    ChildProcess other({"/bin/sh", "-c", "while :; do sleep 1; done", "sh",
                        "--certificatesresolvers.le.acme.storage=" + store},
                       in_dir);
    REQUIRE(eventually(
        [&other] {
          return read_text_file("/proc/" + std::to_string(other.pid()) + "/cmdline")
                     .find("storage") != std::string::npos;
        },
        10s));
    CHECK(traefik_processes_using(store).empty());
  }
}
