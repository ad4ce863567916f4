// acmectl run: the long-running scheduler. It keeps the certificates listed in the
// configuration file: at start and then every --interval it obtains the missing ones (or those
// whose names changed) and renews the due ones. A missing certificate whose issuance fails is
// tried again with a backoff (obtain_backoff.hpp). SIGHUP re-reads the configuration and checks
// at once, failed names included; SIGTERM or SIGINT lets the check in hand finish, then exits 0.
// With --metrics-listen it serves Prometheus metrics meanwhile (metrics_endpoint.hpp).

#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "acmecpp/names.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "delivery.hpp"
#include "exit_codes.hpp"
#include "metrics_endpoint.hpp"
#include "obtain_backoff.hpp"
#include "renewal_runner.hpp"
#include "run_metrics.hpp"

namespace acmectl {
namespace {

using SteadyClock = std::chrono::steady_clock;

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

  /// Waits until `deadline` or a signal; a pending signal is returned at once.
  Event wait_until(SteadyClock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_until(lock, deadline, [this] { return stop_ || reload_; });
    return take(lock);
  }
  bool stop_requested() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stop_;
  }

 private:
  void watch() {
    for (;;) {
      int signal = 0;
      if (sigwait(&signals_, &signal) != 0) continue;
      std::lock_guard<std::mutex> lock(mutex_);
      if (done_) return;
      (signal == SIGHUP ? reload_ : stop_) = true;
      wake_.notify_all();
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
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false, reload_ = false, done_ = false;
};

std::set<std::string> normalized(const std::vector<std::string>& names) {
  const auto list = acmecpp::normalize_dns_names(names);
  return {list.begin(), list.end()};
}

/// What the daemon remembers from one check to the next.
struct DaemonState {
  RunMetrics metrics;
  ObtainBackoff obtain_backoff;
  std::set<std::string> configured;  ///< backoff keys of the certificates seen in this pass
};

/// The certificate's identity for the backoff: its resolver and its set of names.
std::string backoff_key(const std::string& resolver, const std::set<std::string>& names) {
  std::string key = resolver;
  for (const auto& name : names) key += ' ' + name;
  return key;
}

/// Adds a finished manager's figures to the daemon's; a failure to read them (the store) is
/// only logged, it must not count as a failed issuance.
void record_metrics(RunMetrics& metrics, const std::string& resolver,
                    const acmecpp::CertManager& manager) {
  try {
    metrics.add(resolver, manager.metrics());
  } catch (const acmecpp::Error& e) {
    say(std::cerr, std::string("acmectl: warning: metrics not updated: ") + e.what());
  }
}

std::string seconds_until(SteadyClock::time_point when) {
  return std::to_string(std::chrono::ceil<std::chrono::seconds>(when - SteadyClock::now()).count());
}

/// One configured certificate: obtained when missing or when its names changed, else renewed
/// when due.
void keep(const SettingsSource& source, const ConfiguredCertificate& wanted,
          const RenewOptions& renew_options, DaemonState& state) {
  std::string resolver = wanted.resolver.empty() ? source.named_resolver() : wanted.resolver;
  auto context = open_context(source, resolver);
  if (!wanted.challenge.empty()) context.settings.challenge = wanted.challenge;
  const auto names = normalized(wanted.names);
  const auto main = acmecpp::normalize_dns_name(wanted.names.front());
  for (const auto& record : context.store->certificates(context.resolver)) {
    if (record.main != main) continue;
    const auto stored = record.names();
    if (std::set<std::string>(stored.begin(), stored.end()) == names) {
      Renewal renewal(context, renew_options);
      renewal.run(record);
      record_metrics(state.metrics, context.resolver, renewal.manager());
      return;
    }
  }
  const auto key = backoff_key(context.resolver, names);
  state.configured.insert(key);
  if (!state.obtain_backoff.may_try(key, SteadyClock::now())) {
    say(std::cerr, "acmectl: info: obtaining " + main + " failed before; next attempt in " +
                       seconds_until(*state.obtain_backoff.next_try(key)) + " s");
    return;
  }
  const auto lock = context.store->lock_name(context.resolver, main, std::chrono::minutes(10));
  acmecpp::CertManager manager(manager_config(context));
  try {
    const auto issued = manager.obtain(wanted.names);
    state.obtain_backoff.succeeded(key);
    say(std::cout, "issued " + to_text({context.resolver, issued.record, issued.info}));
    deliver(context.settings,
            {acmecpp::CertificateEventType::issued,
             issued.record.names(),
             context.resolver,
             issued.info.not_after,
             {}},
            &issued.record);
  } catch (const acmecpp::Error& e) {
    const auto next = state.obtain_backoff.failed(key, SteadyClock::now());
    say(std::cerr, "acmectl: error: obtaining " + main + " failed: " + e.what() +
                       "; next attempt in " + seconds_until(next) + " s");
    deliver(context.settings,
            {acmecpp::CertificateEventType::failed, wanted.names, context.resolver, {}, e.what()},
            nullptr);
  }
  record_metrics(state.metrics, context.resolver, manager);
}

/// One pass over the configuration; a certificate's failure never stops the others.
void check_all(const SettingsSource& source, const RenewOptions& renew_options,
               SignalWatch& signals, DaemonState& state) {
  const ConfigFile* config = source.config();
  state.configured.clear();
  for (const auto& wanted : config->certificates()) {
    if (signals.stop_requested()) return;
    try {
      keep(source, wanted, renew_options, state);
    } catch (const acmecpp::Error& e) {
      say(std::cerr, "acmectl: error: " + wanted.names.front() + ": " + e.what());
    }
  }
  // Failures of certificates no longer configured must not wake the daemon.
  state.obtain_backoff.retain_only(state.configured);
  state.metrics.checked(std::chrono::system_clock::now());
}

/// The regular next check, or earlier when a failed issuance may be tried again before it.
SteadyClock::time_point next_check(const RunOptions& options, const DaemonState& state) {
  auto next = SteadyClock::now() + std::chrono::seconds(options.interval_seconds);
  if (const auto retry = state.obtain_backoff.earliest_next_try()) next = std::min(next, *retry);
  return next;
}

/// The endpoint of --metrics-listen (a setting, so also a configuration key), when given.
std::unique_ptr<acmecpp::MetricsServer> serve_metrics(const SettingsSource& source,
                                                      const DaemonState& state) {
  const std::string listen = source.resolve().metrics_listen;
  if (listen.empty()) return nullptr;
  auto endpoint = start_metrics_server(
      listen, [&state] { return acmecpp::render_prometheus(state.metrics.snapshot()); });
  say(std::cerr, "acmectl: info: serving metrics on http://" + listen + "/metrics");
  return endpoint;
}

}  // namespace

int run_run(const SettingsSource& source, const RunOptions& options) {
  SignalWatch signals;
  if (!source.config()) {
    throw acmecpp::Error(acmecpp::ErrorKind::config,
                         "acmectl run needs --config FILE listing the certificates to keep");
  }
  RenewOptions renew_options;
  renew_options.days = options.days;
  DaemonState state;
  const auto metrics_endpoint = serve_metrics(source, state);
  for (;;) {
    check_all(source, renew_options, signals, state);
    const auto next = next_check(options, state);
    say(std::cerr, "acmectl: info: check done; next in " + seconds_until(next) + " s");
    const auto event = signals.wait_until(next);
    if (event == SignalWatch::Event::stop) break;
    if (event == SignalWatch::Event::reload) {
      // A reload is the operator's "I fixed it": names that failed are tried again at once.
      state.obtain_backoff = ObtainBackoff{};
      try {
        source.reload();
        say(std::cerr, "acmectl: info: configuration reloaded");
      } catch (const std::exception& e) {
        // Whatever a reload throws (ConfigFile::load throws only Error(config), but a bad file
        // must never stop the daemon): the previous configuration stays.
        say(std::cerr,
            std::string("acmectl: error: keeping the previous configuration: ") + e.what());
      }
    }
  }
  say(std::cerr, "acmectl: info: stopped");
  return kSuccess;
}

}  // namespace acmectl
