// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/certificate_cache.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
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

// Parsing is nearly all of a load's time (OpenSSL 3 decodes each key and certificate through its
// provider decoders: about half a millisecond a certificate), and a server loads its whole store
// before it can serve, so the records are parsed on every core: a contiguous share each, results in
// record order. A record that does not parse leaves nullptr; an exception other than Error (no
// memory) is rethrown here after every thread has finished.
std::vector<std::shared_ptr<const ServingCertificate>> parse_all(
    const std::vector<CertificateRecord>& records) {
  std::vector<std::shared_ptr<const ServingCertificate>> parsed(records.size());
  std::vector<std::exception_ptr> unexpected(records.size());
  auto parse_range = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      try {
        parsed[i] = ServingCertificate::from_record(records[i]);
      } catch (const Error&) {
        // stays nullptr: the caller reports it as skipped
      } catch (...) {
        unexpected[i] = std::current_exception();
      }
    }
  };
  constexpr std::size_t kRecordsPerThread = 64;  // below that a thread costs more than it saves
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t shares = std::min(cores, records.size() / kRecordsPerThread + 1);
  std::vector<std::thread> helpers;
  std::size_t begin = 0;
  for (std::size_t share = 1; share < shares; ++share) {
    const std::size_t end = records.size() * share / shares;
    try {
      helpers.emplace_back(parse_range, begin, end);
    } catch (const std::system_error&) {
      break;  // no thread to be had: this thread parses the rest
    }
    begin = end;
  }
  parse_range(begin, records.size());
  for (auto& helper : helpers) helper.join();
  for (const auto& error : unexpected) {
    if (error) std::rethrow_exception(error);
  }
  return parsed;
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
  return replace(store.certificates(resolver));
}

std::vector<std::string> CertificateCache::replace(const std::vector<CertificateRecord>& records) {
  return take(records, false);
}

std::vector<std::string> CertificateCache::add(const std::vector<CertificateRecord>& records) {
  return take(records, true);
}

std::vector<std::string> CertificateCache::take(const std::vector<CertificateRecord>& records,
                                                bool keep_others) {
  // Parsed before taking the writer lock: parsing is the slow part, and another writer need not
  // wait for it.
  const auto parsed = parse_all(records);
  std::vector<std::string> skipped;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!parsed[i]) skipped.push_back(records[i].main);
  }
  std::lock_guard<std::mutex> writing(writer_lock_->mutex);
  auto next = keep_others ? std::make_shared<Snapshot>(*std::atomic_load(&snapshot_))
                          : std::make_shared<Snapshot>();
  next->by_name.reserve(next->by_name.size() + records.size());
  for (const auto& certificate : parsed) {
    if (certificate) add_names(next->by_name, certificate);  // in order: a later one wins a name
  }
  std::atomic_store(&snapshot_, std::shared_ptr<const Snapshot>(std::move(next)));
  return skipped;
}

std::size_t CertificateCache::size() const {
  return std::atomic_load(&snapshot_)->by_name.size();
}

}  // namespace acmecpp
