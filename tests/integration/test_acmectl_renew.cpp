// SPDX-License-Identifier: Apache-2.0
// acmectl renew, revoke, account and export against Pebble, as an operator's cron job uses them.

#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "acmecpp/certificate.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/temp_dir.hpp"
#include "support/text_count.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

/// A store with an account (from a real issuance of "fresh.example.test", five years left) and
/// a locally made certificate for "due.example.test" with one day of its 90 left: due.
std::string store_with_due_certificate(const PebbleEnv& pebble, const TempDir& dir) {
  const std::string store = (dir / "acme.json").string();
  const auto fresh = issue_standalone(pebble, store, {"fresh.example.test"});
  REQUIRE_MESSAGE(fresh.exit_code == 0, describe(fresh));
  store_due_certificate(store, "due.example.test");
  return store;
}

/// Whether process `pid` has `file` open (it opens a name's lock file only after finding the
/// certificate due, and keeps it open while it waits for the lock).
bool has_open(pid_t pid, const std::filesystem::path& file) {
  std::error_code error;
  const std::filesystem::path fds = "/proc/" + std::to_string(pid) + "/fd";
  for (std::filesystem::directory_iterator it(fds, error), end; !error && it != end;
       it.increment(error)) {
    std::error_code link_error;
    const auto target = std::filesystem::read_symlink(it->path(), link_error);
    if (!link_error && target == file) return true;
  }
  return false;
}

std::string serial_of(const std::string& store, const std::string& main) {
  for (const auto& c : AcmeJsonStore(store).certificates("letsencrypt")) {
    if (c.main == main) return parse_certificate(c.certificate_pem).serial_hex;
  }
  return "";
}

/// `renew EXTRA...` answering HTTP-01 on Pebble's HTTP port.
std::vector<std::string> renew_args(const PebbleEnv& pebble, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"renew", "--http-address", "127.0.0.1", "--http-port",
                                std::to_string(pebble.http_port())};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST_CASE("renew renews what is due and leaves the rest alone, check and force") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const auto store = store_with_due_certificate(pebble, dir);
  const std::string fresh_serial = serial_of(store, "fresh.example.test");
  const std::string due_serial = serial_of(store, "due.example.test");

  const std::string before = read_text_file(store);
  const auto check = run_acmectl(pebble, store, renew_args(pebble, {"--check"}));
  REQUIRE_MESSAGE(check.exit_code == 0, describe(check));
  CHECK(check.out == "would renew due.example.test\n");
  CHECK(read_text_file(store) == before);

  const auto renew = run_acmectl(pebble, store, renew_args(pebble));
  REQUIRE_MESSAGE(renew.exit_code == 0, describe(renew));
  CHECK(renew.out.rfind("renewed letsencrypt  names=due.example.test", 0) == 0);
  CHECK(serial_of(store, "due.example.test") != due_serial);
  CHECK(serial_of(store, "fresh.example.test") == fresh_serial);

  // Nothing is due now: a cron run is quiet and changes nothing.
  const std::string after = read_text_file(store);
  const auto idle = run_acmectl(pebble, store, renew_args(pebble));
  CHECK(idle.exit_code == 0);
  CHECK(idle.out.empty());
  CHECK(read_text_file(store) == after);

  const auto forced =
      run_acmectl(pebble, store, renew_args(pebble, {"--force", "fresh.example.test"}));
  REQUIRE_MESSAGE(forced.exit_code == 0, describe(forced));
  CHECK(serial_of(store, "fresh.example.test") != fresh_serial);
}

TEST_CASE("two renew processes started together order a due certificate once") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const auto store = store_with_due_certificate(pebble, dir);
  const std::size_t orders_before = pebble.new_order_requests();
  // The test holds the name's lock until both processes have found the certificate due and wait
  // for that lock (renewing takes a few tens of milliseconds: without it the second process
  // might start after the first finished and simply find nothing due).
  auto held = AcmeJsonStore(store).lock_name("letsencrypt", "due.example.test", 1s);
  REQUIRE(held);
  const auto lock_file =
      std::filesystem::path(store + ".locks") / "letsencrypt--due.example.test.lock";
  // Both use the same HTTP-01 port: one of them may fail to bind only if both ordered, which
  // is exactly what must not happen.
  ChildProcess first(acmectl_argv(pebble, store, renew_args(pebble)), {}, dir / "first.log");
  ChildProcess second(acmectl_argv(pebble, store, renew_args(pebble)), {}, dir / "second.log");
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  const auto both_waiting = [&] {
    return has_open(first.pid(), lock_file) && has_open(second.pid(), lock_file);
  };
  while (!both_waiting() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(both_waiting());
  held.reset();
  const auto a = first.wait(60s);
  const auto b = second.wait(60s);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  const std::string output = read_text_file(dir / "first.log") + read_text_file(dir / "second.log");
  INFO(output);
  CHECK(a->exit_code == 0);
  CHECK(b->exit_code == 0);
  CHECK(pebble.new_order_requests() - orders_before == 1);
  CHECK(count_occurrences(output, "renewed letsencrypt  names=due.example.test") == 1);
  CHECK(count_occurrences(output, "skipped due.example.test: renewed by another process") == 1);
}

TEST_CASE(
    "hooks get the documented variables; a failing or hanging hook is reported, the certificate "
    "kept") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const auto store = store_with_due_certificate(pebble, dir);
  const auto env_file = dir / "hook.env";
  const auto exported = dir / "export";
  const auto ok = run_acmectl(pebble, store,
                              renew_args(pebble, {"--deploy-hook", "env > " + env_file.string(),
                                                  "--export-dir", exported.string()}));
  REQUIRE_MESSAGE(ok.exit_code == 0, describe(ok));
  const std::string env = read_text_file(env_file);
  CHECK(env.find("ACMECPP_EVENT=renewed\n") != std::string::npos);
  CHECK(env.find("ACMECPP_MAIN=due.example.test\n") != std::string::npos);
  CHECK(env.find("ACMECPP_NAMES=due.example.test\n") != std::string::npos);
  CHECK(env.find("ACMECPP_RESOLVER=letsencrypt\n") != std::string::npos);
  CHECK(env.find("ACMECPP_NOT_AFTER=20") != std::string::npos);
  CHECK(env.find("ACMECPP_FULLCHAIN_PATH=" +
                 (exported / "due.example.test" / "fullchain.pem").string()) != std::string::npos);

  const std::string serial = serial_of(store, "due.example.test");
  const auto failing =
      run_acmectl(pebble, store,
                  renew_args(pebble, {"--force", "due.example.test", "--deploy-hook",
                                      "echo reload broke >&2; exit 7"}));
  CHECK(failing.exit_code == 12);
  CHECK(failing.err.find("hook for due.example.test exited with status 7: reload broke") !=
        std::string::npos);
  CHECK(serial_of(store, "due.example.test") != serial);  // renewed and kept despite the hook

  const auto hanging =
      run_acmectl(pebble, store,
                  renew_args(pebble, {"--force", "due.example.test", "--deploy-hook", "sleep 30",
                                      "--hook-timeout", "1"}));
  CHECK(hanging.exit_code == 12);
  CHECK(hanging.err.find("timed out and was killed") != std::string::npos);
}

TEST_CASE("revoke, export, and account rollover from the command line") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto issued = issue_standalone(pebble, store, {"ops.example.test"});
  REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));

  const auto out = dir / "pem";
  const auto exported = run_acmectl(pebble, store, {"export", "--out", out.string()});
  REQUIRE_MESSAGE(exported.exit_code == 0, describe(exported));
  write_text_file(dir / "root.pem", pebble.root_pem());
  const auto verify = run_process({"openssl", "verify", "-CAfile", (dir / "root.pem").string(),
                                   "-untrusted", (out / "ops.example.test" / "chain.pem").string(),
                                   (out / "ops.example.test" / "cert.pem").string()});
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  struct stat st {};
  REQUIRE(stat((out / "ops.example.test" / "privkey.pem").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto haproxy = run_acmectl(
      pebble, store, {"export", "--out", (dir / "haproxy").string(), "--format", "haproxy"});
  REQUIRE_MESSAGE(haproxy.exit_code == 0, describe(haproxy));
  const std::string combined = read_text_file(dir / "haproxy" / "ops.example.test.pem");
  CHECK(combined.rfind("-----BEGIN EC PRIVATE KEY-----", 0) == 0);
  CHECK(count_occurrences(combined, "-----BEGIN CERTIFICATE-----") >= 2);

  const auto old_key = AcmeJsonStore(store).load_account("letsencrypt")->private_key_der;
  const auto rollover = run_acmectl(pebble, store, {"account", "rollover"});
  REQUIRE_MESSAGE(rollover.exit_code == 0, describe(rollover));
  CHECK(AcmeJsonStore(store).load_account("letsencrypt")->private_key_der != old_key);
  const auto show = run_acmectl(pebble, store, {"account", "show"});
  REQUIRE_MESSAGE(show.exit_code == 0, describe(show));
  CHECK(show.out.find("status valid") != std::string::npos);

  const auto revoke =
      run_acmectl(pebble, store, {"revoke", "ops.example.test", "--reason", "superseded"});
  REQUIRE_MESSAGE(revoke.exit_code == 0, describe(revoke));
  CHECK(revoke.out == "revoked ops.example.test\n");
  httplib::Client management(pebble.management_url());
  management.set_ca_cert_path(pebble.ca_bundle().string());
  const auto status =
      management.Get(("/cert-status-by-serial/" + serial_of(store, "ops.example.test")).c_str());
  REQUIRE(status);
  CHECK(nlohmann::json::parse(status->body).value("Status", "") == "Revoked");
  const auto bad_reason =
      run_acmectl(pebble, store, {"revoke", "ops.example.test", "--reason", "bored"});
  CHECK(bad_reason.exit_code == 3);
  CHECK(bad_reason.err.find("bored") != std::string::npos);
}
