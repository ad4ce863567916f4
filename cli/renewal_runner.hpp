#pragma once
// Renewing one stored certificate the way every acmectl command does it: decide with the renewal
// policy (and ARI), take the store's lock for its name, read the entry again and re-check (another
// process may have renewed it meanwhile), renew, export and run the hook. Used by `renew` and by
// the scheduler of `run`.

#include <ostream>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "batch_completion.hpp"
#include "commands.hpp"
#include "setup.hpp"

namespace acmectl {

enum class Outcome { not_due, renewed, would_renew, failed, hook_failed, skipped };

/// True when `names` is empty or the record holds one of them (main or SAN).
bool holds_any_name(const acmecpp::CertificateRecord& record,
                    const std::vector<std::string>& names);

/// Output lines of concurrent renewals must not interleave.
void say(std::ostream& out, const std::string& line);

class Renewal {
 public:
  /// With `batch`, a renewed certificate's name lock and its delivery (export, hook) are handed
  /// to it, to be finished once the store has been written; without, they happen at once.
  Renewal(const Context& context, const RenewOptions& options, BatchCompletion* batch = nullptr);
  /// Renews `listed` if due (or forced); reports one line; never throws for a failed renewal.
  Outcome run(const acmecpp::CertificateRecord& listed);
  acmecpp::CertManager& manager() { return manager_; }

 private:
  bool due(const acmecpp::CertificateRecord& record, bool quiet);
  Outcome renew(const acmecpp::CertificateRecord& current, std::unique_ptr<acmecpp::NameLock> lock);

  const Context& context_;
  const RenewOptions& options_;
  BatchCompletion* batch_;
  acmecpp::CertManager manager_;
};

}  // namespace acmectl
