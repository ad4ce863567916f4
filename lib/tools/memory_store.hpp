// SPDX-License-Identifier: Apache-2.0
#pragma once
// A Store kept in memory: acmectl's store for a dry run (the real one is left untouched), and the
// second backend the engine's tests run on, so that nothing in the library can assume the file
// (AcmeJsonStore). Locks are shared by every user of one object (as
// a file's locks are by every process), batches are counted as writes are, and the cache area
// is a map. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "acmecpp/store.hpp"

namespace acmecpp::tools {

class MemoryStore : public Store {
 public:
  MemoryStore();
  ~MemoryStore() override;

  std::vector<std::string> resolvers() const override;
  std::optional<AccountRecord> load_account(const std::string& resolver) const override;
  void save_account(const std::string& resolver, const AccountRecord& account) override;
  std::vector<CertificateRecord> certificates(const std::string& resolver) const override;
  void save_certificate(const std::string& resolver, const CertificateRecord& cert) override;
  bool remove_certificate(const std::string& resolver, const std::string& main) override;
  std::optional<PendingOrder> load_pending_order(const std::string& resolver,
                                                 const std::string& main) const override;
  void save_pending_order(const std::string& resolver, const PendingOrder& order) override;
  bool remove_pending_order(const std::string& resolver, const std::string& main) override;
  std::string load_server(const std::string& resolver) const override;
  void save_server(const std::string& resolver, const std::string& url) override;
  std::unique_ptr<NameLock> lock_name(const std::string& resolver, const std::string& main,
                                      std::chrono::milliseconds timeout) override;
  void begin_batch() override;
  void commit_batch() override;
  void flush_batch() override;
  std::optional<std::string> load_cached(const std::string& key) const override;
  void save_cached(const std::string& key, const std::string& value) noexcept override;

  /// How many times the content was "written": once per change outside a batch, once per
  /// commit or flush of a batch that changed something (AcmeJsonStore::files_written's twin).
  std::size_t writes() const;
  /// Whether a name lock is held now, and how many callers wait for one.
  bool locked(const std::string& resolver, const std::string& main) const;
  std::size_t lock_waiters() const;
  /// The certificates as last "written" (what another process would read): changes made in an
  /// open batch are not there until it is committed or flushed.
  std::vector<CertificateRecord> written_certificates(const std::string& resolver) const;

 private:
  struct Shared;
  struct Resolver {
    std::optional<AccountRecord> account;
    std::vector<CertificateRecord> certificates;
  };
  void changed();  // with the mutex held
  void write();    // with the mutex held

  std::shared_ptr<Shared> shared_;  // also held by live locks, which may outlive the store
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Resolver>> resolvers_;  // in the order first saved
  std::vector<std::pair<std::string, Resolver>> written_;    // resolvers_ at the last write
  std::map<std::string, std::string> cache_;
  std::map<std::string, std::string> servers_;  ///< resolver -> its server
  /// (resolver, lower-case main) -> the order in flight.
  std::map<std::pair<std::string, std::string>, PendingOrder> orders_;
  int batch_depth_ = 0;
  bool unwritten_ = false;
  std::size_t writes_ = 0;
};

}  // namespace acmecpp::tools
