#include "acmecpp/certificate_cache.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "acmecpp/error.hpp"
#include "serve/server_name.hpp"

namespace acmecpp {

// Never changed once published: readers hold it through a shared_ptr, so a writer copies it,
// changes the copy and publishes that.
struct CertificateCache::Snapshot {
  std::unordered_map<std::string, std::shared_ptr<const ServingCertificate>> by_name;
};

// Writers copy-modify-publish; two writers at once would each publish a copy missing the other's
// change, so they take turns. Readers never take it.
struct CertificateCache::WriterLock {
  std::mutex mutex;
};

namespace {

using NameMap = std::unordered_map<std::string, std::shared_ptr<const ServingCertificate>>;

void add_names(NameMap& by_name, const std::shared_ptr<const ServingCertificate>& certificate) {
  for (const std::string& name : certificate->names) {
    by_name[serve::lookup_key(name)] = certificate;
  }
}

}  // namespace

CertificateCache::CertificateCache()
    : snapshot_(std::make_shared<const Snapshot>()), writer_lock_(std::make_unique<WriterLock>()) {}

CertificateCache::~CertificateCache() = default;

std::shared_ptr<const ServingCertificate> CertificateCache::find(
    std::string_view server_name) const {
  const std::shared_ptr<const Snapshot> snapshot = std::atomic_load(&snapshot_);
  const std::string key = serve::lookup_key(server_name);
  if (key.empty()) return nullptr;
  if (auto exact = snapshot->by_name.find(key); exact != snapshot->by_name.end()) {
    return exact->second;
  }
  const std::string wildcard = serve::covering_wildcard(key);
  if (wildcard.empty()) return nullptr;
  if (auto covering = snapshot->by_name.find(wildcard); covering != snapshot->by_name.end()) {
    return covering->second;
  }
  return nullptr;
}

void CertificateCache::put(std::shared_ptr<const ServingCertificate> certificate) {
  if (!certificate) throw Error(ErrorKind::invalid_input, "CertificateCache::put: no certificate");
  std::lock_guard<std::mutex> writing(writer_lock_->mutex);
  auto next = std::make_shared<Snapshot>(*std::atomic_load(&snapshot_));
  add_names(next->by_name, certificate);
  std::atomic_store(&snapshot_, std::shared_ptr<const Snapshot>(std::move(next)));
}

void CertificateCache::remove(const std::vector<std::string>& names) {
  std::lock_guard<std::mutex> writing(writer_lock_->mutex);
  auto next = std::make_shared<Snapshot>(*std::atomic_load(&snapshot_));
  for (const std::string& name : names) next->by_name.erase(serve::lookup_key(name));
  std::atomic_store(&snapshot_, std::shared_ptr<const Snapshot>(std::move(next)));
}

std::vector<std::string> CertificateCache::load(const Store& store, const std::string& resolver) {
  // Parsed before taking the writer lock: reading the store and parsing are the slow part, and
  // another writer need not wait for them.
  auto next = std::make_shared<Snapshot>();
  std::vector<std::string> skipped;
  for (const CertificateRecord& record : store.certificates(resolver)) {
    try {
      add_names(next->by_name, ServingCertificate::from_record(record));
    } catch (const Error&) {
      skipped.push_back(record.main);
    }
  }
  std::lock_guard<std::mutex> writing(writer_lock_->mutex);
  std::atomic_store(&snapshot_, std::shared_ptr<const Snapshot>(std::move(next)));
  return skipped;
}

std::size_t CertificateCache::size() const {
  return std::atomic_load(&snapshot_)->by_name.size();
}

}  // namespace acmecpp
