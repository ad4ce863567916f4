// SPDX-License-Identifier: Apache-2.0
// Dns01Solver: publish through the provider at the (CNAME-resolved) record name, wait until the
// zone's authoritative servers all serve it, withdraw it afterwards.

#include <map>
#include <mutex>
#include <optional>

#include "acmecpp/dns01.hpp"
#include "acmecpp/error.hpp"
#include "challenge/dns01/cname_chain.hpp"
#include "challenge/dns01/propagation_check.hpp"
#include "challenge/dns01/resolver_set.hpp"

namespace acmecpp {

namespace {

/// Tasks of one order share identifiers (a wildcard and its apex) but never tokens.
std::string task_key(const ChallengeTask& task) {
  return task.identifier + " " + task.token;
}

bool needs_resolvers(const Dns01PropagationOptions& options) {
  return options.follow_cname || (!options.skip && options.authoritative_override.empty());
}

}  // namespace

struct Dns01Solver::Impl {
  std::shared_ptr<DnsProvider> provider;
  Dns01PropagationOptions options;
  LogSink log;
  std::optional<dns01::ResolverSet> resolvers;  // set when the options need them
  std::mutex mutex;
  std::map<std::string, std::string> published_at;  // task_key -> effective fqdn

  /// Never throws: cleanup() reports through it from a noexcept context.
  void note(LogLevel level, const std::string& message) const noexcept {
    try {
      if (log) log(level, message);
    } catch (...) {
      // A failing sink must not turn a warning into std::terminate.
    }
  }

  std::string effective_name(const std::string& record) const {
    if (!options.follow_cname) return record;
    const std::string target = dns01::follow_cname(*resolvers, record);
    if (target != record) note(LogLevel::info, "DNS-01: " + record + " is a CNAME to " + target);
    return target;
  }

  /// Where present() published the task's record; the record name itself when it did not.
  std::string published_name(const ChallengeTask& task) {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = published_at.find(task_key(task));
    return it != published_at.end() ? it->second : dns01_record_name(task.identifier);
  }

  dns01::PropagationPace pace() const {
    dns01::PropagationPace pace;
    pace.timeout = provider->propagation_timeout().value_or(options.timeout);
    pace.interval = provider->polling_interval().value_or(options.interval);
    return pace;
  }
};

Dns01Solver::Dns01Solver(std::shared_ptr<DnsProvider> provider, Dns01PropagationOptions options,
                         LogSink log)
    : impl_(std::make_unique<Impl>()) {
  if (!provider) throw Error(ErrorKind::config, "Dns01Solver: no DNS provider given");
  dns01::override_servers(options);  // an address that does not parse fails here, not later
  if (needs_resolvers(options)) impl_->resolvers.emplace(options.resolvers);
  impl_->provider = std::move(provider);
  impl_->options = std::move(options);
  impl_->log = std::move(log);
}

Dns01Solver::~Dns01Solver() = default;

void Dns01Solver::present(const ChallengeTask& task) {
  const std::string fqdn = impl_->effective_name(dns01_record_name(task.identifier));
  {
    // Remembered before publishing: cleanup() must find a half-done present().
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->published_at[task_key(task)] = fqdn;
  }
  impl_->note(LogLevel::info, "DNS-01: publishing TXT " + fqdn + " via " + impl_->provider->name());
  impl_->provider->present(fqdn, dns01_txt_value(task.key_authorization));
}

void Dns01Solver::wait_until_visible(const ChallengeTask& task) {
  if (impl_->options.skip) return;
  const std::string fqdn = impl_->published_name(task);
  std::string zone;
  const auto servers =
      impl_->options.authoritative_override.empty()
          ? dns01::discovered_servers(fqdn, impl_->options, *impl_->resolvers, zone)
          : dns01::override_servers(impl_->options);
  std::string labels;
  for (const auto& s : servers) labels += (labels.empty() ? "" : ", ") + s.label;
  impl_->note(LogLevel::info, "DNS-01: waiting for TXT " + fqdn +
                                  (zone.empty() ? "" : " (zone " + zone + ")") + " on " + labels);
  dns01::wait_until_txt_visible(fqdn, dns01_txt_value(task.key_authorization), servers,
                                impl_->pace(), impl_->log, task.stop);
}

void Dns01Solver::cleanup(const ChallengeTask& task) noexcept {
  try {
    std::string fqdn;
    {
      std::lock_guard<std::mutex> lock(impl_->mutex);
      const auto it = impl_->published_at.find(task_key(task));
      if (it == impl_->published_at.end()) return;  // present() never got to the provider
      fqdn = it->second;
      impl_->published_at.erase(it);
    }
    impl_->provider->cleanup(fqdn, dns01_txt_value(task.key_authorization));
  } catch (const std::exception& e) {
    impl_->note(LogLevel::warning, std::string("DNS-01 cleanup failed: ") + e.what());
  } catch (...) {
    impl_->note(LogLevel::warning, "DNS-01 cleanup failed with an unknown error");
  }
}

}  // namespace acmecpp
