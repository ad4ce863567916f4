// acmectl run: the long-running scheduler. It keeps the certificates listed in the
// configuration file: at start and then every --interval it obtains the missing ones (or those
// whose names changed) and renews the due ones. SIGHUP re-reads the configuration and checks at
// once; SIGTERM or SIGINT lets the check in hand finish, then exits 0.

#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "acmecpp/names.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "delivery.hpp"
#include "exit_codes.hpp"
#include "renewal_runner.hpp"

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

/// One configured certificate: obtained when missing or when its names changed, else renewed
/// when due.
void keep(const SettingsSource& source, const ConfiguredCertificate& wanted,
          const RenewOptions& renew_options) {
  std::string resolver = wanted.resolver.empty() ? source.named_resolver() : wanted.resolver;
  auto context = open_context(source, resolver);
  if (!wanted.challenge.empty()) context.settings.challenge = wanted.challenge;
  const auto names = normalized(wanted.names);
  const auto main = acmecpp::normalize_dns_name(wanted.names.front());
  for (const auto& record : context.store->certificates(context.resolver)) {
    if (record.main != main) continue;
    const auto stored = record.names();
    if (std::set<std::string>(stored.begin(), stored.end()) == names) {
      Renewal(context, renew_options).run(record);
      return;
    }
  }
  const auto lock = context.store->lock_name(context.resolver, main, std::chrono::minutes(10));
  acmecpp::CertManager manager(manager_config(context));
  try {
    const auto issued = manager.obtain(wanted.names);
    say(std::cout, "issued " + to_text({context.resolver, issued.record, issued.info}));
    deliver(context.settings,
            {acmecpp::CertificateEventType::issued,
             issued.record.names(),
             context.resolver,
             issued.info.not_after,
             {}},
            &issued.record);
  } catch (const acmecpp::Error& e) {
    say(std::cerr, "acmectl: error: obtaining " + main + " failed: " + e.what());
    deliver(context.settings,
            {acmecpp::CertificateEventType::failed, wanted.names, context.resolver, {}, e.what()},
            nullptr);
  }
}

/// One pass over the configuration; a certificate's failure never stops the others.
void check_all(const SettingsSource& source, const RenewOptions& renew_options,
               SignalWatch& signals) {
  const ConfigFile* config = source.config();
  for (const auto& wanted : config->certificates()) {
    if (signals.stop_requested()) return;
    try {
      keep(source, wanted, renew_options);
    } catch (const acmecpp::Error& e) {
      say(std::cerr, "acmectl: error: " + wanted.names.front() + ": " + e.what());
    }
  }
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
  for (;;) {
    check_all(source, renew_options, signals);
    say(std::cerr,
        "acmectl: info: check done; next in " + std::to_string(options.interval_seconds) + " s");
    const auto event =
        signals.wait_until(SteadyClock::now() + std::chrono::seconds(options.interval_seconds));
    if (event == SignalWatch::Event::stop) break;
    if (event == SignalWatch::Event::reload) {
      try {
        source.reload();
        say(std::cerr, "acmectl: info: configuration reloaded");
      } catch (const acmecpp::Error& e) {
        say(std::cerr,
            std::string("acmectl: error: keeping the previous configuration: ") + e.what());
      }
    }
  }
  say(std::cerr, "acmectl: info: stopped");
  return kSuccess;
}

}  // namespace acmectl
