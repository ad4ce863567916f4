// SPDX-License-Identifier: Apache-2.0
// What acmecpp does with a CA that misbehaves: a certificate for another key, for other names,
// with a broken chain or junk around the PEM; http:// URLs; a problem document full of escape
// sequences and megabytes long. Pebble cannot misbehave, so these run against the hostile-CA
// stand-in (tests/support/hostile_ca.hpp) in front of a real Pebble. Each case: a clear error, the
// exit code README documents, nothing sent over plain HTTP, and the store as it was.

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/error.hpp"
#include "acmectl_runner.hpp"
#include "support/hostile_ca.hpp"
#include "support/http01_listener.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

constexpr int kExitConfig = 4;
constexpr int kExitNetwork = 5;
constexpr int kExitServerProblem = 6;
constexpr int kExitProtocol = 7;
constexpr int kExitSomeFailed = 11;

/// Pebble, the stand-in in front of it, and a store holding an account and one good certificate
/// (good.example.test) obtained through the stand-in while it behaved.
struct HostileFixture {
  PebbleEnv pebble{counting_pebble_options()};  // counts newOrder requests
  HostileCa ca{pebble};
  TempDir dir;
  std::string store = (dir / "acme.json").string();

  HostileFixture() {
    const auto good = run(issue_args(pebble, {"good.example.test"}));
    REQUIRE_MESSAGE(good.exit_code == 0, describe(good));
  }

  /// acmectl with `args`, pointed at the stand-in. The directory cached by an earlier run is
  /// removed first, so that the stand-in's directory is read again.
  ProcessResult run(const std::vector<std::string>& args) const {
    std::filesystem::remove(store + ".directory.json");
    auto argv = acmectl_argv(pebble, store, args);
    for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == "--server") argv[i + 1] = ca.directory_url();
    }
    ProcessOptions options;
    options.timeout = std::chrono::seconds(120);
    return run_process(argv, options);
  }

  std::string store_bytes() const { return read_text_file(store); }

  /// run() under tests/programs/peak_rss: the result, and acmectl's peak resident memory in KiB.
  std::pair<ProcessResult, long> run_measured(const std::vector<std::string>& args) const {
    std::filesystem::remove(store + ".directory.json");
    auto argv = acmectl_argv(pebble, store, args);
    for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == "--server") argv[i + 1] = ca.directory_url();
    }
    const std::string rss_file = (dir / "peak_rss").string();
    argv.insert(argv.begin(), {ACMECPP_PEAK_RSS_PATH, rss_file});
    ProcessOptions options;
    options.timeout = std::chrono::seconds(120);
    const ProcessResult result = run_process(argv, options);
    long kib = -1;
    std::ifstream(rss_file) >> kib;
    return {result, kib};
  }
};

/// The store without the renewal bookkeeping (the "acmecpp" members), which a failed renewal
/// updates on purpose: the count of failed attempts drives the backoff.
std::string without_renewal_state(const std::string& store_text) {
  auto json = nlohmann::json::parse(store_text);
  for (auto& item : json.items()) {
    auto& entry = item.value();
    if (!entry.is_object() || !entry.contains("Certificates")) continue;
    for (auto& certificate : entry["Certificates"]) certificate.erase("acmecpp");
  }
  return json.dump();
}

/// The line of stderr that starts with "acmectl: error: ".
std::string error_line(const std::string& err) {
  const auto at = err.find("acmectl: error: ");
  if (at == std::string::npos) return {};
  return err.substr(at, err.find('\n', at) - at);
}

bool has_control_characters(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n') || byte == 0x7F) return true;
  }
  return false;
}

struct CertificateCase {
  Misbehaviour misbehaviour;
  const char* expected;
};

const CertificateCase kCertificateCases[] = {
    {Misbehaviour::wrong_key, "the certificate the CA returned is for another key"},
    {Misbehaviour::other_names,
     "the certificate the CA returned does not match the order: names %s not covered, "
     "not-ordered.example.test not ordered"},
    {Misbehaviour::broken_chain,
     "the certificate chain the CA returned is broken: certificate #1 was issued by"},
    {Misbehaviour::junk_around_pem,
     "the certificate chain the CA returned has text outside its PEM certificate blocks at byte 0 "
     "(\"Here is your certificate\")"},
};

std::string expected_for(const CertificateCase& c, const std::string& name) {
  std::string text = c.expected;
  if (const auto at = text.find("%s"); at != std::string::npos) text.replace(at, 2, name);
  return text;
}

}  // namespace

TEST_CASE("hostile CA: a wrong certificate is refused by issue and renew, the store kept") {
  HostileFixture f;
  for (const auto& c : kCertificateCases) {
    CAPTURE(static_cast<int>(c.misbehaviour));
    f.ca.set(c.misbehaviour);
    const int changed_before = f.ca.certificates_changed();
    const std::string before = f.store_bytes();

    const auto issue = f.run(issue_args(f.pebble, {"new.example.test"}));
    CHECK_MESSAGE(issue.exit_code == kExitProtocol, describe(issue));
    CHECK_MESSAGE(
        error_line(issue.err).find(expected_for(c, "new.example.test")) != std::string::npos,
        describe(issue));
    CHECK(issue.out.find("stored") == std::string::npos);
    CHECK(f.store_bytes() == before);

    const auto renew = f.run({"renew", "--force", "--http-address", "127.0.0.1", "--http-port",
                              std::to_string(f.pebble.http_port())});
    CHECK_MESSAGE(renew.exit_code == kExitSomeFailed, describe(renew));
    CHECK_MESSAGE(renew.err.find("renewing good.example.test failed (the stored certificate is "
                                 "kept): " +
                                 expected_for(c, "good.example.test")) != std::string::npos,
                  describe(renew));
    CHECK(without_renewal_state(f.store_bytes()) == without_renewal_state(before));
    CHECK(f.ca.certificates_changed() == changed_before + 2);  // the stand-in did misbehave
  }
}

TEST_CASE("hostile CA: http:// URLs in the directory or a Location header get no request") {
  HostileFixture f;
  const std::string before = f.store_bytes();
  SUBCASE("newOrder in the directory") {
    f.ca.set(Misbehaviour::http_directory);
    const auto issue = f.run(issue_args(f.pebble, {"new.example.test"}));
    CHECK_MESSAGE(issue.exit_code == kExitProtocol, describe(issue));
    CHECK_MESSAGE(error_line(issue.err).find("the ACME server gave the directory's newOrder as "
                                             "\"http://127.0.0.1:") != std::string::npos,
                  describe(issue));
  }
  SUBCASE("the Location of a new order") {
    f.ca.set(Misbehaviour::http_location);
    const auto issue = f.run(issue_args(f.pebble, {"new.example.test"}));
    CHECK_MESSAGE(issue.exit_code == kExitProtocol, describe(issue));
    CHECK_MESSAGE(error_line(issue.err).find("the ACME server gave the new order's Location as "
                                             "\"http://127.0.0.1:") != std::string::npos,
                  describe(issue));
  }
  CHECK(f.ca.plain_http_requests() == 0);
  CHECK(f.store_bytes() == before);
}

TEST_CASE("hostile CA: --server with an http:// URL is a configuration error") {
  HostileFixture f;
  const std::string before = f.store_bytes();
  auto argv = acmectl_argv(f.pebble, f.store, issue_args(f.pebble, {"new.example.test"}));
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "--server") argv[i + 1] = "http://127.0.0.1:1/dir";
  }
  const auto issue = run_process(argv, ProcessOptions{});
  CHECK_MESSAGE(issue.exit_code == kExitConfig, describe(issue));
  CHECK(error_line(issue.err) ==
        "acmectl: error: the ACME directory URL \"http://127.0.0.1:1/dir\" is not an https:// "
        "URL: RFC 8555 section 6.1 requires HTTPS for every ACME request");
  CHECK(f.store_bytes() == before);
}

TEST_CASE("hostile CA: a problem with escape sequences and 7 MB of detail prints one short line") {
  HostileFixture f;
  const std::string before = f.store_bytes();
  f.ca.set(Misbehaviour::hostile_problem);
  const auto issue = f.run(issue_args(f.pebble, {"new.example.test"}));
  CHECK_MESSAGE(issue.exit_code == kExitServerProblem, describe(issue).substr(0, 4000));
  const std::string line = error_line(issue.err);
  CHECK(line.find("urn:ietf:params:acme:error:unauthorized: \\x1b[31mYour account is "
                  "\\x1b[5mgone\\x1b[0m\\nreason:\\r\\nAAAA") != std::string::npos);
  CHECK(line.find(" more bytes]") != std::string::npos);
  CHECK(line.size() < 1500);
  CHECK_FALSE(has_control_characters(issue.err));
  CHECK(issue.err.size() < 8000);  // not the 7 MB
  CHECK(f.store_bytes() == before);
}

TEST_CASE("hostile CA: CertManager refuses a certificate for another key and stores nothing") {
  PebbleEnv pebble;
  HostileCa ca(pebble);
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  Http01Listener listener(handler, pebble.http_port());
  ManagerConfig config = pebble_manager_config(pebble, dir / "acme.json", handler);
  config.acme.directory_url = ca.directory_url();
  CertManager manager(config);
  const auto good = manager.obtain({"good.example.test"});
  const std::string before = read_text_file(dir / "acme.json");

  ca.set(Misbehaviour::wrong_key);
  try {
    manager.obtain({"good.example.test"});
    FAIL("a certificate for another key was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::protocol);
    CHECK(std::string(e.what()).find("is for another key") != std::string::npos);
  }
  CHECK(read_text_file(dir / "acme.json") == before);
  CHECK(ca.certificates_changed() == 1);
}

namespace {

/// What the stand-in does to newOrder (or to every POST), and what acmectl must say about it.
struct AnswerCase {
  Misbehaviour misbehaviour;
  int exit_code;
  const char* expected;  ///< a part of the "acmectl: error: " line
};

const AnswerCase kAnswerCases[] = {
    {Misbehaviour::endless_body, kExitNetwork, "exceeds"},
    {Misbehaviour::slow_drip, kExitNetwork, "timed out"},
    {Misbehaviour::invalid_json, kExitProtocol, "new order: response is not valid JSON"},
    {Misbehaviour::wrong_types, kExitProtocol, "status"},
    {Misbehaviour::wrong_content_type, kExitProtocol, "text/html"},
    {Misbehaviour::redirect, kExitProtocol, "302"},
    {Misbehaviour::other_origin, kExitProtocol,
     "at another origin than its directory https://127.0.0.1:"},
    {Misbehaviour::bad_nonce_forever, kExitServerProblem, "badNonce"},
};

// Bounds for one acmectl run against a misbehaving answer: --request-timeout 3s, so a dripping
// answer ends after 3 s, the rest at once. Memory: the transport keeps at most 8 MiB of an
// answer, so a run may take at most 64 MiB more than a good issuance measured in the same tree
// (14 MiB in a RelWithDebInfo tree, some 185 MiB under ASan, whose quarantine keeps what was
// freed).
constexpr double kMaxSeconds = 40;
constexpr long kMaxExtraKiB = 64 * 1024;

}  // namespace

TEST_CASE("hostile CA: each misbehaving answer is a clear error, bounded in time and memory") {
  HostileFixture f;
  const auto [good_run, good_kib] = f.run_measured(issue_args(f.pebble, {"measure.example.test"}));
  REQUIRE_MESSAGE(good_run.exit_code == 0, describe(good_run));
  REQUIRE(good_kib > 0);
  for (const auto& c : kAnswerCases) {
    CAPTURE(static_cast<int>(c.misbehaviour));
    f.ca.set(c.misbehaviour);
    const std::string before = f.store_bytes();
    const int orders_before = f.ca.new_orders();
    auto args = issue_args(f.pebble, {"new.example.test"});
    args.insert(args.end(), {"--request-timeout", "3s"});

    const auto started = std::chrono::steady_clock::now();
    const auto [issue, peak_kib] = f.run_measured(args);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    MESSAGE("misbehaviour ", static_cast<int>(c.misbehaviour), ": exit ", issue.exit_code, " in ",
            seconds, " s, peak ", peak_kib, " KiB: ", error_line(issue.err));
    CHECK_MESSAGE(issue.exit_code == c.exit_code, describe(issue).substr(0, 4000));
    CHECK_MESSAGE(error_line(issue.err).find(c.expected) != std::string::npos,
                  describe(issue).substr(0, 4000));
    CHECK(error_line(issue.err).size() < 1500);
    CHECK_FALSE(has_control_characters(issue.err));
    CHECK(issue.out.find("stored") == std::string::npos);
    CHECK(seconds < kMaxSeconds);
    CHECK(peak_kib > 0);
    CHECK(peak_kib < good_kib + kMaxExtraKiB);
    CHECK(f.store_bytes() == before);
    if (c.misbehaviour != Misbehaviour::bad_nonce_forever) {
      CHECK(f.ca.new_orders() == orders_before + 1);  // one newOrder, not repeated blindly
    }
  }
  f.ca.set(Misbehaviour::none);
  const auto good = f.run(issue_args(f.pebble, {"new.example.test"}));
  CHECK_MESSAGE(good.exit_code == 0, describe(good));  // the stand-in itself still works
}

TEST_CASE("hostile CA: --request-timeout must be a duration above zero") {
  TempDir dir;
  for (const char* bad : {"0", "0s", "soon", "-5s"}) {
    CAPTURE(bad);
    const auto result = run_process({ACMECPP_ACMECTL_PATH, "issue", "a.example.test", "--store",
                                     (dir / "acme.json").string(), "--request-timeout", bad});
    CHECK(result.exit_code == 3);
    CHECK(error_line(result.err).find("--request-timeout") != std::string::npos);
  }
}
