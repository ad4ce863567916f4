// SPDX-License-Identifier: Apache-2.0
// The "exec" DNS provider: lego's contract for an external program, so that scripts written for
// lego (`PROGRAM present|cleanup FQDN VALUE`, exit status 0 on success) work unchanged.

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/printable.hpp"
#include "core/child_process.hpp"

namespace acmecpp {
namespace {

/// How much of the program's output goes into an error message: the end, where scripts
/// usually say what went wrong.
constexpr std::size_t kMessageOutputChars = 512;
/// At most this much of each output stream is kept: enough for an error message, and a chatty
/// program cannot fill our memory.
constexpr std::size_t kOutputTailBytes = 4096;
/// Once the program has exited, how long to keep reading output that a process it left behind
/// may still hold open: long enough for the last writes to arrive, short enough that a script
/// starting a daemon does not make every call slow.
constexpr std::chrono::milliseconds kOutputGraceAfterExit{500};

std::string trimmed(const std::string& text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

/// The end of what the program said (stderr, or stdout when stderr is empty), for a message.
std::string output_excerpt(const core::ChildRunResult& outcome) {
  std::string text = trimmed(outcome.err);
  if (text.empty()) text = trimmed(outcome.out);
  if (text.size() > kMessageOutputChars) {
    text = "..." + text.substr(text.size() - kMessageOutputChars);
  }
  return text;
}

std::string with_output(std::string message, const core::ChildRunResult& outcome) {
  const std::string excerpt = output_excerpt(outcome);
  if (!excerpt.empty()) message += ": " + printable_text(excerpt);  // the program's own words
  return message;
}

ExecProviderOptions checked(ExecProviderOptions options) {
  if (options.program.empty()) {
    throw Error(ErrorKind::config, "exec DNS provider: no program given");
  }
  if (options.timeout.count() <= 0) {
    throw Error(ErrorKind::config, "exec DNS provider: timeout must be positive, got " +
                                       std::to_string(options.timeout.count()) + " s");
  }
  return options;
}

class ExecProvider final : public DnsProvider {
 public:
  explicit ExecProvider(ExecProviderOptions options) : options_(checked(std::move(options))) {}

  std::string name() const override { return "exec"; }

  void present(const std::string& fqdn, const std::string& value) override {
    run("present", fqdn, value);
  }

  void cleanup(const std::string& fqdn, const std::string& value) override {
    run("cleanup", fqdn, value);
  }

  std::optional<std::chrono::seconds> propagation_timeout() const override {
    return options_.propagation_timeout;
  }

  std::optional<std::chrono::milliseconds> polling_interval() const override {
    return options_.polling_interval;
  }

 private:
  void run(const std::string& action, const std::string& fqdn, const std::string& value) const {
    core::ChildSpec spec;
    spec.argv = {options_.program, action, fqdn, value};
    spec.environment.set = options_.env;
    core::ChildRunOptions run;
    run.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout);
    run.output_cap = kOutputTailBytes;
    run.output_grace = kOutputGraceAfterExit;
    const core::ChildRunResult outcome = core::run_child(spec, run);
    if (!outcome.started()) throw ChallengeError("exec: " + outcome.start_error);
    // The TXT value is public DNS data, so naming the call in full is fine.
    const std::string call = "exec: " + options_.program + " " + action + " " + fqdn;
    if (outcome.timed_out) {
      throw ChallengeError(with_output(call + " did not finish within " +
                                           std::to_string(options_.timeout.count()) +
                                           " s and was killed",
                                       outcome));
    }
    if (outcome.term_signal != 0) {
      throw ChallengeError(with_output(call + " was killed by signal " +
                                           std::to_string(outcome.term_signal) + " (" +
                                           ::strsignal(outcome.term_signal) + ")",
                                       outcome));
    }
    if (outcome.exit_code != 0) {
      throw ChallengeError(with_output(
          call + " failed with exit code " + std::to_string(outcome.exit_code), outcome));
    }
  }

  const ExecProviderOptions options_;
};

}  // namespace

std::shared_ptr<DnsProvider> make_exec_provider(ExecProviderOptions options) {
  return std::make_shared<ExecProvider>(std::move(options));
}

}  // namespace acmecpp
