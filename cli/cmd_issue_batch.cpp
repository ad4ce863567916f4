// acmectl issue --batch FILE: many certificates in one process, --concurrency orders at once
// sharing one account and one ACME client, acme.json written once at the end (and every 30 s
// of a long batch, see BatchCompletion). Every line is
// checked before the first order, so a typo on line 900 does not leave 899 orders behind.

#include <algorithm>
#include <iostream>

#include "acmecpp/cert_manager.hpp"
#include "batch_completion.hpp"
#include "batch_file.hpp"
#include "bounded_parallel.hpp"
#include "certificate_view.hpp"
#include "commands.hpp"
#include "delivery.hpp"
#include "error_text.hpp"
#include "exit_codes.hpp"
#include "renewal_runner.hpp"
#include "setup.hpp"

namespace acmectl {
namespace {

enum class BatchOutcome { issued, failed };

/// How long a line waits for a name another process is ordering, as `run` and `renew` do.
constexpr auto kNameLockTimeout = std::chrono::minutes(10);

class BatchIssuer {
 public:
  BatchIssuer(const Context& context, BatchCompletion& completion)
      : context_(context), completion_(completion), manager_(manager_config(context)) {}

  /// Orders one line's certificate; reports one line; never throws for a failed order.
  BatchOutcome issue(const BatchLine& line) {
    const std::string& main = line.names.front();
    try {
      auto lock = context_.store->lock_name(context_.resolver, main, kNameLockTimeout);
      if (!lock) {
        throw acmecpp::Error(acmecpp::ErrorKind::storage,
                             "another process holds the lock of " + main);
      }
      const auto issued = manager_.obtain(line.names);
      say(std::cout, "issued " + to_text({context_.resolver, issued.record, issued.info}));
      const acmecpp::CertificateEvent event{acmecpp::CertificateEventType::issued,
                                            issued.record.names(),
                                            context_.resolver,
                                            issued.info.not_after,
                                            {}};
      completion_.keep(std::move(lock));
      completion_.defer([settings = context_.settings, event, record = issued.record] {
        return deliver(settings, event, &record);
      });
      return BatchOutcome::issued;
    } catch (const acmecpp::Error& e) {
      say(std::cerr, "acmectl: error: line " + std::to_string(line.line_number) + ": issuing " +
                         main + " failed: " + in_cli_terms(e.what()));
      deliver(context_.settings,
              {acmecpp::CertificateEventType::failed, line.names, context_.resolver, {}, e.what()},
              nullptr);
      return BatchOutcome::failed;
    }
  }

 private:
  const Context& context_;
  BatchCompletion& completion_;
  acmecpp::CertManager manager_;
};

}  // namespace

int run_issue_batch(const SettingsSource& source, const std::string& batch_file) {
  const auto lines = read_batch_file(batch_file);
  const auto context = open_context(source);
  const unsigned bound = order_concurrency(context.settings);
  acmecpp::AcmeJsonStore::Batch batch(*context.store);
  BatchCompletion completion([&context] { context.store->flush_batch(); });
  BatchIssuer issuer(context, completion);
  std::vector<BatchOutcome> outcomes(lines.size(), BatchOutcome::failed);
  run_bounded(lines.size(), bound, [&](std::size_t i) {
    outcomes[i] = issuer.issue(lines[i]);
    completion.checkpoint();
  });
  const bool deliveries_ok = completion.finish();
  batch.commit();
  const auto failed = std::count(outcomes.begin(), outcomes.end(), BatchOutcome::failed);
  if (failed > 0) {
    say(std::cerr, "acmectl: error: " + std::to_string(failed) + " of " +
                       std::to_string(lines.size()) + " certificates could not be issued");
    return kSomeFailed;
  }
  return deliveries_ok ? kSuccess : kHookFailed;
}

}  // namespace acmectl
