#include "manager/serving.hpp"

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"

namespace acmecpp::manager {
namespace {

/// How long an on-demand issuance waits for another process ordering the same name; it runs on
/// a pool thread, not on the handshake's.
constexpr std::chrono::seconds kOnDemandLockWait{60};

bool still_valid(const CertificateRecord& record) {
  return parse_certificate(record.certificate_pem).not_after > std::chrono::system_clock::now();
}

}  // namespace

Serving::Serving(CertManager& manager, const ManagerConfig& config, Logger log,
                 CertificateEventCallback notify)
    : manager_(manager),
      store_(config.store),
      resolver_(config.resolver),
      policy_(config.on_demand),
      log_(log),
      upkeep_(UpkeepContext{manager, *config.store, config.resolver, *cache_, managed_,
                            config.check_interval, config.renewal_days, log, std::move(notify)}),
      on_demand_(
          config.on_demand, [this](const std::string& name) { return issue_on_demand(name); },
          [this](const std::string& name) { return managed_.names(name); }, log),
      worker_([this](const std::atomic<bool>& stop) { return upkeep_.pass(stop); }, log) {}

Serving::~Serving() {
  stop();
}

void Serving::manage(const std::vector<std::string>& names) {
  const auto normalized = managed_.manage(names);
  log_(LogLevel::debug, "managing {} ({} name(s))", normalized.front(), normalized.size());
  if (worker_.running()) worker_.wake();  // obtain it now, not at the next check
}

void Serving::start() {
  if (worker_.running()) {
    throw Error(ErrorKind::config, "CertManager::start(): the background work already runs");
  }
  load_store();
  on_demand_.open();
  worker_.start();
}

void Serving::stop() {
  worker_.stop();
  on_demand_.close();
}

void Serving::load_store() {
  for (const auto& skipped : cache_->load(*store_, resolver_)) {
    log_(LogLevel::error, "stored certificate for {} cannot be served; skipped", skipped);
  }
  if (!policy_.allow) return;
  for (const auto& record : store_->certificates(resolver_)) {
    try {
      if (managed_.names(record.main)) continue;
      const auto names = record.names();
      if (names.size() == 1 && policy_.allow(names.front())) managed_.manage(names);
    } catch (const std::exception& e) {
      log_(LogLevel::warning, "stored certificate for {} not adopted for renewal: {}", record.main,
           e.what());
    }
  }
}

std::shared_ptr<const ServingCertificate> Serving::certificate_for(std::string_view server_name) {
  try {
    if (auto hit = cache_->find(server_name)) return hit;  // the hot path: no lock
  } catch (const std::exception& e) {
    log_(LogLevel::error, "certificate lookup for a handshake failed: {}", e.what());
    return nullptr;
  }
  return on_demand_.certificate_for(server_name);
}

std::shared_ptr<const ServingCertificate> Serving::issue_on_demand(const std::string& name) {
  const auto lock = store_->lock_name(resolver_, name, kOnDemandLockWait);
  if (!lock) {
    throw Error(ErrorKind::storage, "another process holds the store's lock for " + name);
  }
  const std::vector<std::string> names{name};
  if (const auto stored = stored_for(store_->certificates(resolver_), names)) {
    if (still_valid(*stored)) {
      log_(LogLevel::info, "on-demand: {} was stored meanwhile; serving it", name);
      return publish(*stored, names);
    }
  }
  return publish(manager_.obtain(names).record, names);
}

std::shared_ptr<const ServingCertificate> Serving::publish(const CertificateRecord& record,
                                                           const std::vector<std::string>& names) {
  auto certificate = ServingCertificate::from_record(record);
  cache_->put(certificate);  // first, so that no handshake sees it managed but not served
  managed_.manage(names);    // renewed from now on
  return certificate;
}

}  // namespace acmecpp::manager
