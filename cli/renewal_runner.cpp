#include "renewal_runner.hpp"

#include <algorithm>
#include <iostream>
#include <mutex>

#include "certificate_view.hpp"
#include "delivery.hpp"

namespace acmectl {
namespace {

using Clock = std::chrono::system_clock;

/// The stored entry for `main` now (it may have changed since the list was read).
std::optional<acmecpp::CertificateRecord> reread(const acmecpp::Store& store,
                                                 const std::string& resolver,
                                                 const std::string& main) {
  for (auto& record : store.certificates_named(resolver, main)) {
    if (record.main == main) return record;
  }
  return std::nullopt;
}

}  // namespace

bool holds_any_name(const acmecpp::CertificateRecord& record,
                    const std::vector<std::string>& names) {
  if (names.empty()) return true;
  const auto all = record.names();
  return std::any_of(names.begin(), names.end(), [&all](const std::string& n) {
    return std::find(all.begin(), all.end(), n) != all.end();
  });
}

void say(std::ostream& out, const std::string& line) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  out << line << '\n';
}

Renewal::Renewal(const Context& context, const RenewOptions& options, BatchCompletion* batch)
    : context_(context), options_(options), batch_(batch), manager_(manager_config(context)) {}

Outcome Renewal::run(const acmecpp::CertificateRecord& listed) {
  const std::string& main = listed.main;
  if (!options_.force && !due(listed, false)) return Outcome::not_due;
  auto lock = context_.store->lock_name(context_.resolver, main, std::chrono::minutes(10));
  if (!lock) {
    say(std::cout, "skipped " + main + ": another process holds its lock");
    return Outcome::skipped;
  }
  const auto current = reread(*context_.store, context_.resolver, main);
  if (!current) return Outcome::not_due;  // removed meanwhile
  // Renewed by someone else while we waited: forced runs see a changed certificate, others a
  // certificate no longer due.
  if (options_.force ? current->certificate_pem != listed.certificate_pem : !due(*current, true)) {
    say(std::cout, "skipped " + main + ": renewed by another process");
    return Outcome::skipped;
  }
  if (options_.dry_run) {
    say(std::cout, "would renew " + main);
    return Outcome::would_renew;
  }
  return renew(*current, std::move(lock));
}

bool Renewal::due(const acmecpp::CertificateRecord& record, bool quiet) {
  const auto decision = manager_.check_renewal(record, Clock::now(), options_.days);
  if (!decision.due && !quiet && context_.settings.verbose) {
    say(std::cout, "not due " + record.main + ": " + decision.reason);
  }
  return decision.due;
}

Outcome Renewal::renew(const acmecpp::CertificateRecord& current,
                       std::unique_ptr<acmecpp::NameLock> lock) {
  try {
    const auto issued = manager_.renew(current);
    say(std::cout, "renewed " + to_text({context_.resolver, issued.record, issued.info}));
    const acmecpp::CertificateEvent event{acmecpp::CertificateEventType::renewed,
                                          issued.record.names(),
                                          context_.resolver,
                                          issued.info.not_after,
                                          {}};
    if (batch_ != nullptr) {
      batch_->keep(std::move(lock));
      batch_->defer([settings = context_.settings, event, record = issued.record] {
        return deliver(settings, event, &record);
      });
      return Outcome::renewed;
    }
    const bool hook_ok = deliver(context_.settings, event, &issued.record);
    return hook_ok ? Outcome::renewed : Outcome::hook_failed;
  } catch (const acmecpp::Error& e) {
    if (e.kind() == acmecpp::ErrorKind::cancelled) throw;  // stopping: neither failure nor hook
    say(std::cerr, "acmectl: error: renewing " + current.main +
                       " failed (the stored "
                       "certificate is kept): " +
                       e.what());
    deliver(
        context_.settings,
        {acmecpp::CertificateEventType::failed, current.names(), context_.resolver, {}, e.what()},
        nullptr);
    return Outcome::failed;
  }
}

}  // namespace acmectl
