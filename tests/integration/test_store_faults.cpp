// SPDX-License-Identifier: Apache-2.0
// Faults under the store, end to end with acmectl and Pebble (issue 14): a store on a full
// filesystem, and acmectl killed with SIGKILL during a renewal. Each time the store keeps what it
// had, byte for byte or at least whole, and the failure is reported as a storage error.
//
// The full filesystem is real: a 256 KiB tmpfs mounted in a private mount namespace (unshare(1)
// from util-linux; the test command runs as root), filled up with a file, so that the kernel
// itself answers ENOSPC. The mount disappears with the namespace.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include "acmecpp/certificate.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs `acmectl_args` (an argv whose --store points into `mount_point`) in a private mount
/// namespace where `mount_point` is a fresh 256 KiB tmpfs holding a copy of `store` (and its
/// account), filled to the last byte. Prints "STORE_UNCHANGED" or "STORE_CHANGED" after acmectl
/// exits, comparing the store on the tmpfs with `store`; exits with acmectl's status.
ProcessResult on_full_filesystem(const std::string& mount_point, const std::string& store,
                                 const std::vector<std::string>& acmectl_args) {
  // clang-format off
  const std::string script = R"sh(
set -u
mount_point=$1 original=$2
shift 2
mount -t tmpfs -o size=256k,mode=0700 acmecpp-full "$mount_point" || exit 90
cp -p "$original" "$mount_point/acme.json" || exit 91
# Fill every block left: the store's next write meets ENOSPC from the kernel.
dd if=/dev/zero of="$mount_point/filler" bs=4096 2>/dev/null
[ "$(df --output=avail "$mount_point" | tail -1 | tr -d ' ')" = 0 ] || exit 92
"$@"
status=$?
if cmp -s "$original" "$mount_point/acme.json"; then echo STORE_UNCHANGED; else echo STORE_CHANGED; fi
exit $status
)sh";
  // clang-format on
  std::vector<std::string> argv{"unshare", "--mount", "--propagation", "private",   "sh",
                                "-c",      script,    "full-store",    mount_point, store};
  argv.insert(argv.end(), acmectl_args.begin(), acmectl_args.end());
  ProcessOptions options;
  options.timeout = std::chrono::seconds(120);
  return run_process(argv, options);
}

PebbleOptions exact_pebble() {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  return options;
}

}  // namespace

TEST_CASE(
    "a store on a full filesystem: issue and renew fail as storage errors, the store intact") {
  PebbleEnv pebble(exact_pebble());
  TempDir dir;
  const std::string original = (dir / "acme.json").string();
  const auto seed = issue_standalone(pebble, original, {"kept.full.test"});
  REQUIRE_MESSAGE(seed.exit_code == 0, describe(seed));
  const std::string before = read_file(original);
  const auto mount_point = dir / "full";
  std::filesystem::create_directory(mount_point);
  const std::string store = (mount_point / "acme.json").string();

  SUBCASE("issue of a new name") {
    const auto r =
        on_full_filesystem(mount_point.string(), original,
                           acmectl_argv(pebble, store, issue_args(pebble, {"new.full.test"})));
    INFO(describe(r));
    REQUIRE(r.exit_code != 90);  // the tmpfs was mounted
    REQUIRE(r.exit_code != 92);  // and really full
    CHECK(r.exit_code == 9);     // storage (cli/exit_codes.hpp)
    CHECK(r.err.find("No space left on device") != std::string::npos);
    CHECK(r.out.find("STORE_UNCHANGED") != std::string::npos);
  }
  SUBCASE("renewal of the stored certificate") {
    const auto r =
        on_full_filesystem(mount_point.string(), original,
                           acmectl_argv(pebble, store,
                                        {"renew", "--force", "--http-address", "127.0.0.1",
                                         "--http-port", std::to_string(pebble.http_port())}));
    INFO(describe(r));
    REQUIRE(r.exit_code != 90);
    REQUIRE(r.exit_code != 92);
    CHECK(r.exit_code == 9);
    CHECK(r.err.find("No space left on device") != std::string::npos);
    CHECK(r.out.find("STORE_UNCHANGED") != std::string::npos);
  }
  // Outside the namespace nothing was mounted, and the original store is as it was.
  CHECK(std::filesystem::is_empty(mount_point));
  CHECK(read_file(original) == before);
}

TEST_CASE("acmectl killed with SIGKILL at random moments of a renewal keeps the certificate") {
  PebbleEnv pebble(exact_pebble());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto seed = issue_standalone(pebble, store, {"renewed.kill.test"});
  REQUIRE_MESSAGE(seed.exit_code == 0, describe(seed));
  const std::vector<std::string> renew{
      "renew",     "--force",     "--http-address",
      "127.0.0.1", "--http-port", std::to_string(pebble.http_port()),
      "-q"};
  // How long one renewal takes here, so that the kills land inside runs.
  const auto started = std::chrono::steady_clock::now();
  const auto timed = run_acmectl(pebble, store, renew);
  REQUIRE_MESSAGE(timed.exit_code == 0, describe(timed));
  const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
  MESSAGE("one renewal took " << duration << " ms");
  std::mt19937 random(std::random_device{}());
  int killed_running = 0;
  for (int round = 0; round < 12; ++round) {
    const std::string before =
        AcmeJsonStore(store).certificates("letsencrypt").at(0).certificate_pem;
    ChildProcess child(acmectl_argv(pebble, store, renew));
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % (duration + 1)));
    if (child.running()) ++killed_running;
    child.kill(SIGKILL);
    child.wait(std::chrono::seconds(10));
    // Whatever the moment: one certificate for the name, whole (the old one or the renewed one).
    const auto records = AcmeJsonStore(store).certificates("letsencrypt");
    REQUIRE(records.size() == 1);
    CHECK(records[0].main == "renewed.kill.test");
    CHECK_FALSE(records[0].certificate_pem.empty());
    CHECK_FALSE(records[0].key_pem.empty());
    CHECK(parse_certificate_chain(records[0].certificate_pem).size() >= 1);
    const std::string kept = records[0].certificate_pem == before ? "kept" : "renewed";
    MESSAGE("round " << round << ": " << kept);
  }
  MESSAGE("acmectl was still running at " << killed_running << " of 12 kills");
  CHECK(killed_running > 0);
  // And the store still works: a renewal after all this succeeds.
  const auto after = run_acmectl(pebble, store, renew);
  CHECK_MESSAGE(after.exit_code == 0, describe(after));
  struct stat st {};
  REQUIRE(stat(store.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}
