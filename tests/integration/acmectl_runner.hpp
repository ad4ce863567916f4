// SPDX-License-Identifier: Apache-2.0
#pragma once
// Runs the acmectl binary built alongside the tests against a PebbleEnv.

#include <chrono>
#include <string>
#include <vector>

#include "acmecpp/key.hpp"
#include "acmecpp/store.hpp"
#include "crypto/self_signed.hpp"
#include "support/pebble_env.hpp"
#include "support/process.hpp"

namespace acmecpp::testing {

/// argv of acmectl with `args`, then the flags that point it at `pebble` and at the store
/// `store_path`. New accounts use EC keys: RSA 4096 generation would only slow the tests down.
inline std::vector<std::string> acmectl_argv(const PebbleEnv& pebble, const std::string& store_path,
                                             const std::vector<std::string>& args) {
  std::vector<std::string> argv{ACMECPP_ACMECTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::vector<std::string> common{"--server",    pebble.directory_url(),
                                        "--ca-bundle", pebble.ca_bundle().string(),
                                        "--store",     store_path,
                                        "--email",     "ops@example.test",
                                        "--agree-tos", "--account-key-type",
                                        "ec256"};
  argv.insert(argv.end(), common.begin(), common.end());
  return argv;
}

inline ProcessResult run_acmectl(const PebbleEnv& pebble, const std::string& store_path,
                                 const std::vector<std::string>& args) {
  ProcessOptions options;
  options.timeout = std::chrono::seconds(120);
  return run_process(acmectl_argv(pebble, store_path, args), options);
}

/// The arguments of `issue NAMES` answering HTTP-01 with acmectl's standalone server on Pebble's
/// HTTP port.
inline std::vector<std::string> issue_args(const PebbleEnv& pebble,
                                           const std::vector<std::string>& names,
                                           const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"issue"};
  args.insert(args.end(), names.begin(), names.end());
  args.insert(args.end(),
              {"--http-address", "127.0.0.1", "--http-port", std::to_string(pebble.http_port())});
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

/// `acmectl issue NAMES` answering HTTP-01 with its standalone server on Pebble's HTTP port.
inline ProcessResult issue_standalone(const PebbleEnv& pebble, const std::string& store_path,
                                      std::vector<std::string> names,
                                      const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"issue"};
  args.insert(args.end(), names.begin(), names.end());
  args.insert(args.end(),
              {"--http-address", "127.0.0.1", "--http-port", std::to_string(pebble.http_port())});
  args.insert(args.end(), extra.begin(), extra.end());
  return run_acmectl(pebble, store_path, args);
}

/// The flags that answer DNS-01 through Pebble's challtestsrv.
inline std::vector<std::string> challtestsrv_dns_args(const PebbleEnv& pebble) {
  return {"--challenge", "dns-01", "--dns", "challtestsrv", "--dns-option",
          "CHALLTESTSRV_URL=" + pebble.challtestsrv_management_url(),
          // challtestsrv is the only DNS server here: it is what the check must see.
          "--dns-authoritative", "127.0.0.1:" + std::to_string(pebble.dns_port())};
}

/// Saves a locally made certificate for `main` with one day of its 90 left (due for renewal) in
/// the store's "letsencrypt" section.
inline void store_due_certificate(const std::string& store, const std::string& main) {
  using namespace std::chrono_literals;
  const auto key = PrivateKey::generate(KeyType::ec256);
  const auto now = std::chrono::system_clock::now();
  CertificateRecord due;
  due.main = main;
  due.certificate_pem = crypto::make_certificate_pem(key, {main}, now - 89 * 24h, now + 24h);
  due.key_pem = key.to_pem();
  AcmeJsonStore(store).save_certificate("letsencrypt", due);
}

/// Everything a failed run said, for failure messages.
inline std::string describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) +
         (r.term_signal != 0 ? ", signal " + std::to_string(r.term_signal) : std::string()) +
         (r.timed_out ? ", timed out" : "") + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

}  // namespace acmecpp::testing
