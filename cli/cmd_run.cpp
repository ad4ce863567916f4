// SPDX-License-Identifier: Apache-2.0
// acmectl run: the long-running scheduler, on the library's maintenance engine. It hands the
// certificates listed in the configuration file to one CertManager per resolver and starts
// their background work: at start and then every --interval (earlier when a certificate falls
// due or a failed one may be tried again) missing ones are obtained (or those whose names
// changed) and due ones renewed, each failure backed off (1 min, 10 min, 100 min, then daily).
// Events become exports and hooks, outcomes become the same lines as `renew` prints. SIGHUP
// re-reads the configuration and checks at once, failed names included; SIGTERM or SIGINT stops
// the managers and exits 0. With --metrics-listen it serves Prometheus metrics meanwhile
// (metrics_endpoint.hpp).

#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "kept_certificates.hpp"
#include "log_output.hpp"
#include "metrics_endpoint.hpp"
#include "progress.hpp"
#include "setup.hpp"
#include "traefik_warning.hpp"
#include "upkeep_report.hpp"

namespace acmectl {
namespace {
/// Signals arrive on a thread of their own (they are blocked everywhere else), so the scheduler
/// can wait on a condition variable instead of polling.
class SignalWatch {
 public:
  SignalWatch() {
    sigemptyset(&signals_);
    for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals_, s);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);  // before any other thread starts
    thread_ = std::thread([this] { watch(); });
  }
  ~SignalWatch() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

  enum class Event { none, reload, stop };

  /// Stopped on SIGTERM or SIGINT.
  acmecpp::StopToken token() const { return stop_source_.token(); }

  /// Waits for a signal; a pending signal is returned at once.
  Event wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return stop_ || reload_; });
    return take(lock);
  }

 private:
  void watch() {
    for (;;) {
      int signal = 0;
      if (sigwait(&signals_, &signal) != 0) continue;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (done_) return;
        (signal == SIGHUP ? reload_ : stop_) = true;
        wake_.notify_all();
      }
      if (signal != SIGHUP) stop_source_.request_stop();
    }
  }
  Event take(std::unique_lock<std::mutex>&) {
    if (stop_) return Event::stop;
    if (reload_) {
      reload_ = false;
      return Event::reload;
    }
    return Event::none;
  }

  sigset_t signals_;
  acmecpp::StopSource stop_source_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false, reload_ = false, done_ = false;
};

/// The managers of one configuration, one per resolver it names, each with its certificates.
class Daemon {
 public:
  Daemon(const SettingsSource& source, const RunOptions& options, acmecpp::StopToken stop)
      : source_(source), options_(options), stop_(std::move(stop)) {}
  ~Daemon() { stop(); }

  /// Builds the managers of the configuration as it is now and starts them; the previous ones
  /// (if any) are stopped first and their counts kept for the metrics.
  void start() {
    auto managers = build();
    stop();
    std::lock_guard<std::mutex> lock(mutex_);
    managers_ = std::move(managers);
    for (auto& [resolver, manager] : managers_) manager->start();
  }

  void stop() {
    std::map<std::string, std::unique_ptr<acmecpp::CertManager>> stopping;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping.swap(managers_);
    }
    std::vector<acmecpp::Metrics> parts{retired_};
    for (auto& [resolver, manager] : stopping) {
      manager->stop();
      parts.push_back(counts_of(*manager));
    }
    std::lock_guard<std::mutex> lock(mutex_);
    retired_ = acmecpp::merge_metrics(parts);
  }

  /// Failed names are tried again at once.
  void retry_now() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [resolver, manager] : managers_) manager->retry_now();
  }

  /// Every manager's figures and those of the managers a reload replaced.
  acmecpp::Metrics metrics() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<acmecpp::Metrics> parts{retired_};
    for (const auto& [resolver, manager] : managers_) {
      try {
        parts.push_back(manager->metrics());
      } catch (const acmecpp::Error& e) {
        acmectl::log_to_stderr(acmecpp::LogLevel::warning,
                               std::string("metrics not updated: ") + e.what());
      }
    }
    return acmecpp::merge_metrics(parts);
  }

 private:
  /// A replaced manager's counts (its certificates are listed by its successor).
  static acmecpp::Metrics counts_of(const acmecpp::CertManager& manager) {
    try {
      auto counts = manager.metrics();
      counts.certificates.clear();
      return counts;
    } catch (const acmecpp::Error&) {
      return {};
    }
  }

  std::map<std::string, std::unique_ptr<acmecpp::CertManager>> build() {
    std::map<std::string, std::unique_ptr<acmecpp::CertManager>> managers;
    std::map<std::string, std::vector<acmecpp::ManagedCertificate>> wanted;
    std::map<std::string, Context> contexts;
    std::map<std::string, KeptCertificates> kept_of;  // per resolver named
    for (const auto& entry : source_.config()->certificates()) {
      const std::string named = entry.resolver.empty() ? source_.named_resolver() : entry.resolver;
      auto found = contexts.find(named);
      if (found == contexts.end()) {
        found = contexts.emplace(named, open_context(source_, named, stop_)).first;
        bind_resolver_server(found->second);
        warn_if_traefik_uses_store(found->second.settings);
        kept_of.emplace(std::piecewise_construct, std::forward_as_tuple(named),
                        std::forward_as_tuple(source_, found->second, hooks_ok_));
      }
      const Context& context = found->second;
      // A stored certificate is renewed with the settings kept with it, as `renew` does.
      auto& kept = kept_of.at(named);
      const auto stored = entry.names.empty() ? std::nullopt : kept.stored(entry.names.front());
      acmecpp::ManagedCertificate certificate;
      try {
        certificate = kept.make(entry.names, stored ? &*stored : nullptr, entry.challenge);
      } catch (const acmecpp::Error& e) {
        log_to_stderr(acmecpp::LogLevel::warning,
                      "not using the settings kept with " + entry.names.front() + ": " + e.what(),
                      {{"name", entry.names.front()}, {"resolver", context.resolver}});
        certificate = kept.make(entry.names, nullptr, entry.challenge);
      }
      if (!entry.profile.empty()) certificate.profile = entry.profile;
      wanted[context.resolver].push_back(std::move(certificate));
    }
    for (auto& [named, context] : contexts) {
      auto config = manager_config(context);
      config.check_interval = std::chrono::seconds(options_.interval_seconds);
      config.renewal_days = options_.days;
      // n/N as each certificate of a pass is handled, as renew shows it.
      const std::size_t total = wanted[context.resolver].size();
      auto progress =
          std::make_shared<UpkeepProgress>("run", total, context.settings, context.resolver);
      config.on_outcome = progress->callback();
      config.on_pass = [resolver = context.resolver, settings = context.settings, progress, total](
                           const std::vector<acmecpp::UpkeepOutcome>& outcomes,
                           std::chrono::milliseconds next) {
        for (const auto& outcome : outcomes) report(outcome, resolver, settings);
        progress->restart(total);
        log_info("check done; next in " +
                     std::to_string(std::chrono::ceil<std::chrono::seconds>(next).count()) + " s",
                 {{"resolver", resolver}});
      };
      auto manager = std::make_unique<acmecpp::CertManager>(std::move(config));
      manager->set_managed(wanted[context.resolver]);
      managers[context.resolver] = std::move(manager);
    }
    return managers;
  }

  const SettingsSource& source_;
  const RunOptions& options_;
  const acmecpp::StopToken stop_;     ///< SIGTERM, SIGINT: ends the store's lock waits
  std::atomic<bool> hooks_ok_{true};  // run reports hook failures on stderr only
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<acmecpp::CertManager>> managers_;
  acmecpp::Metrics retired_;
};

/// The endpoint of --metrics-listen (a setting, so also a configuration key), when given.
std::unique_ptr<acmecpp::MetricsServer> serve_metrics(const SettingsSource& source,
                                                      const Daemon& daemon) {
  const std::string listen = source.resolve().metrics_listen;
  if (listen.empty()) return nullptr;
  auto endpoint = start_metrics_server(
      listen, [&daemon] { return acmecpp::render_prometheus(daemon.metrics()); });
  log_info("serving metrics on http://" + listen + "/metrics");
  return endpoint;
}

}  // namespace

int run_run(const SettingsSource& source, const RunOptions& options) {
  SignalWatch signals;
  if (!source.config()) {
    throw acmecpp::Error(acmecpp::ErrorKind::config,
                         "acmectl run needs --config FILE listing the certificates to keep");
  }
  Daemon daemon(source, options, signals.token());
  const auto metrics_endpoint = serve_metrics(source, daemon);
  try {
    daemon.start();
  } catch (const acmecpp::Error& e) {
    // SIGTERM while the start waited (for the store's lock): a stop, as at any other time.
    if (e.kind() != acmecpp::ErrorKind::cancelled) throw;
    log_info("stopped");
    return kSuccess;
  }
  for (;;) {
    const auto event = signals.wait();
    if (event == SignalWatch::Event::stop) break;
    if (event != SignalWatch::Event::reload) continue;
    // A reload is the operator's "I fixed it": the managers start afresh, so names that failed
    // are tried again at once.
    try {
      source.reload();
      daemon.start();
      log_info("configuration reloaded");
    } catch (const std::exception& e) {
      log_error(std::string("keeping the previous configuration: ") + e.what());
      daemon.retry_now();
    }
  }
  daemon.stop();
  log_info("stopped");
  return kSuccess;
}

}  // namespace acmectl
