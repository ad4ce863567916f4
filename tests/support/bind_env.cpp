// SPDX-License-Identifier: Apache-2.0
#include "support/bind_env.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "support/free_port.hpp"

namespace acmecpp::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kStartTimeout = 20s;
constexpr auto kStopTimeout = 10s;
constexpr int kStartAttempts = 3;

std::string zone_file_name(const std::string& zone) {
  return zone + ".zone";
}

std::string zone_file(const BindZone& zone) {
  std::ostringstream out;
  out << "$ORIGIN " << zone.name << ".\n"
      << "$TTL 60\n"
      << "@ IN SOA ns1." << zone.name << ". hostmaster." << zone.name << ". 1 3600 600 86400 60\n"
      << "@ IN NS ns1." << zone.name << ".\n"
      << "ns1 IN A 127.0.0.1\n";
  for (const auto& record : zone.records) out << record << "\n";
  return out.str();
}

std::string named_conf(const std::filesystem::path& dir, const BindOptions& options,
                       const std::string& secret, std::uint16_t port) {
  const std::string d = dir.string();
  std::ostringstream out;
  out << "key \"" << options.key_name << "\" {\n"
      << "  algorithm " << options.key_algorithm << ";\n  secret \"" << secret << "\";\n};\n"
      << "options {\n"
      << "  directory \"" << d << "\";\n"
      << "  pid-file \"" << d << "/named.pid\";\n"
      << "  session-keyfile \"" << d << "/session.key\";\n"
      << "  managed-keys-directory \"" << d << "\";\n"
      << "  listen-on port " << port << " { 127.0.0.1; };\n"
      << "  listen-on-v6 { none; };\n"
      << "  recursion no;\n  notify no;\n  dnssec-validation no;\n"
      << "};\n"
      << "controls { };\n";  // no rndc channel: nothing else to bind
  for (const auto& zone : options.zones) {
    out << "zone \"" << zone.name << "\" {\n  type primary;\n  file \"" << d << "/"
        << zone_file_name(zone.name) << "\";\n  allow-update { key \"" << options.key_name
        << "\"; };\n};\n";
  }
  return out.str();
}

/// The strings of one line of `dig +short TXT` output ("a" "b" -> "ab").
std::string join_quoted_strings(const std::string& line) {
  std::string value;
  bool inside = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      inside = !inside;
    } else if (inside && c == '\\' && i + 1 < line.size()) {
      value += line[++i];
    } else if (inside) {
      value += c;
    }
  }
  return value;
}

}  // namespace

std::string random_tsig_secret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw Error(ErrorKind::crypto, "RAND_bytes failed");
  return core::base64_encode(std::string(reinterpret_cast<char*>(bytes), sizeof bytes));
}

BindEnv::BindEnv(BindOptions options)
    : options_(std::move(options)), key_secret_(random_tsig_secret()) {
  if (options_.zones.empty()) throw Error(ErrorKind::config, "BindEnv needs at least one zone");
  std::string failure;
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    if (try_start(failure)) return;
    // Only a port someone took between our check and named's bind is worth another try.
    if (failure.find("address in use") == std::string::npos) break;
  }
  throw Error(ErrorKind::config, "named did not start:\n" + failure);
}

BindEnv::~BindEnv() {
  stop();
}

std::string BindEnv::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

void BindEnv::write_files() const {
  for (const auto& zone : options_.zones) {
    write_text_file(dir_ / zone_file_name(zone.name), zone_file(zone));
    std::filesystem::remove(dir_ / (zone_file_name(zone.name) + ".jnl"));
  }
  write_text_file(dir_ / "named.conf", named_conf(dir_.path(), options_, key_secret_, port_));
}

bool BindEnv::answers_soa(const std::string& zone) const {
  const ProcessResult result = run_process({"dig", "@127.0.0.1", "-p", std::to_string(port_),
                                            "+short", "+time=1", "+tries=1", "SOA", zone + "."});
  // Our SOA names our ns1: an answer from anyone else on the port would not.
  return result.exit_code == 0 && result.out.find("ns1." + zone + ".") != std::string::npos;
}

bool BindEnv::try_start(std::string& failure) {
  stop();
  port_ = free_tcp_and_udp_port();
  write_files();
  std::filesystem::remove(dir_ / "named.log");
  named_.emplace(std::vector<std::string>{"named", "-g", "-4", "-n", "1", "-c",
                                          (dir_ / "named.conf").string()},
                 ProcessOptions{}, dir_ / "named.log");
  // Should the test process die without running destructors, named follows it.
  const std::string script = "while kill -0 " + std::to_string(::getpid()) +
                             " 2>/dev/null; do sleep 1; done; kill " +
                             std::to_string(named_->pid()) + " 2>/dev/null";
  watchdog_.emplace(std::vector<std::string>{"sh", "-c", script});
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string output = log();
    const bool failed = output.find("address in use") != std::string::npos ||
                        output.find("not loaded due to errors") != std::string::npos;
    if (failed || !named_->running()) break;
    const bool ready = std::all_of(options_.zones.begin(), options_.zones.end(),
                                   [this](const BindZone& z) { return answers_soa(z.name); });
    if (ready) return true;
    std::this_thread::sleep_for(100ms);
  }
  failure = "named on port " + std::to_string(port_) + " did not answer; its log:\n" + log();
  stop();
  return false;
}

void BindEnv::stop() noexcept {
  if (named_) {
    named_->kill(SIGTERM);
    named_->wait(kStopTimeout);
    named_.reset();  // SIGKILLs the group if SIGTERM was not enough
  }
  watchdog_.reset();
}

std::vector<std::string> BindEnv::txt(const std::string& name) const {
  const ProcessResult result = run_process({"dig", "@127.0.0.1", "-p", std::to_string(port_),
                                            "+short", "+time=2", "+tries=2", "TXT", name});
  if (result.exit_code != 0) {
    throw Error(ErrorKind::network, "dig TXT " + name + " failed: " + result.out + result.err);
  }
  std::vector<std::string> values;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) values.push_back(join_quoted_strings(line));
  }
  std::sort(values.begin(), values.end());
  return values;
}

std::string BindEnv::log() const {
  try {
    return read_text_file(dir_ / "named.log");
  } catch (const Error&) {
    return "(no log)";
  }
}

}  // namespace acmecpp::testing
