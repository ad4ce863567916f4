// SPDX-License-Identifier: Apache-2.0
#include "tools/memory_store.hpp"

#include "core/ascii.hpp"

#include <algorithm>

namespace acmecpp::tools {

struct MemoryStore::Shared {
  std::mutex mutex;
  std::condition_variable released;
  std::set<std::string> held;
  std::size_t waiters = 0;
};

namespace {

bool same_name(const std::string& a, const std::string& b) {
  return core::equal_ignoring_ascii_case(a, b);
}

class MemoryNameLock : public NameLock {
 public:
  MemoryNameLock(std::shared_ptr<void> shared, std::mutex& mutex, std::condition_variable& cv,
                 std::set<std::string>& held, std::string key)
      : shared_(std::move(shared)), mutex_(mutex), cv_(cv), held_(held), key_(std::move(key)) {}
  ~MemoryNameLock() override {
    std::lock_guard<std::mutex> lock(mutex_);
    held_.erase(key_);
    cv_.notify_all();
  }

 private:
  std::shared_ptr<void> shared_;
  std::mutex& mutex_;
  std::condition_variable& cv_;
  std::set<std::string>& held_;
  std::string key_;
};

}  // namespace

MemoryStore::MemoryStore() : shared_(std::make_shared<Shared>()) {}
MemoryStore::~MemoryStore() = default;

std::vector<std::string> MemoryStore::resolvers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, resolver] : resolvers_) names.push_back(name);
  return names;
}

std::optional<AccountRecord> MemoryStore::load_account(const std::string& resolver) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, entry] : resolvers_) {
    if (name == resolver) return entry.account;
  }
  return std::nullopt;
}

void MemoryStore::save_account(const std::string& resolver, const AccountRecord& account) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, entry] : resolvers_) {
    if (name != resolver) continue;
    entry.account = account;
    return changed();
  }
  resolvers_.push_back({resolver, Resolver{account, {}}});
  changed();
}

std::optional<PendingOrder> MemoryStore::load_pending_order(const std::string& resolver,
                                                            const std::string& main) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = orders_.find({resolver, core::ascii_lower(main)});
  if (found == orders_.end()) return std::nullopt;
  return found->second;
}

void MemoryStore::save_pending_order(const std::string& resolver, const PendingOrder& order) {
  Store::save_pending_order(resolver, order);  // refuses an order without names
  std::lock_guard<std::mutex> lock(mutex_);
  orders_[{resolver, core::ascii_lower(order.main())}] = order;
  changed();
}

bool MemoryStore::remove_pending_order(const std::string& resolver, const std::string& main) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (orders_.erase({resolver, core::ascii_lower(main)}) == 0) return false;
  changed();
  return true;
}

std::string MemoryStore::load_server(const std::string& resolver) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = servers_.find(resolver);
  return found == servers_.end() ? std::string() : found->second;
}

void MemoryStore::save_server(const std::string& resolver, const std::string& url) {
  std::lock_guard<std::mutex> lock(mutex_);
  servers_[resolver] = url;
  const bool known = std::any_of(resolvers_.begin(), resolvers_.end(),
                                 [&](const auto& entry) { return entry.first == resolver; });
  if (!known) resolvers_.push_back({resolver, Resolver{}});
  changed();
}

std::vector<CertificateRecord> MemoryStore::certificates(const std::string& resolver) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, entry] : resolvers_) {
    if (name == resolver) return entry.certificates;
  }
  return {};
}

void MemoryStore::save_certificate(const std::string& resolver, const CertificateRecord& cert) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = std::find_if(resolvers_.begin(), resolvers_.end(),
                            [&](const auto& entry) { return entry.first == resolver; });
  if (found == resolvers_.end()) {
    resolvers_.push_back({resolver, Resolver{}});
    found = std::prev(resolvers_.end());
  }
  auto& list = found->second.certificates;
  const auto same = std::find_if(list.begin(), list.end(), [&](const CertificateRecord& r) {
    return same_name(r.main, cert.main);
  });
  if (same == list.end()) {
    list.push_back(cert);
  } else {
    *same = cert;
  }
  changed();
}

bool MemoryStore::remove_certificate(const std::string& resolver, const std::string& main) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, entry] : resolvers_) {
    if (name != resolver) continue;
    auto& list = entry.certificates;
    const auto same = std::find_if(list.begin(), list.end(), [&](const CertificateRecord& r) {
      return same_name(r.main, main);
    });
    if (same == list.end()) return false;
    list.erase(same);
    changed();
    return true;
  }
  return false;
}

std::unique_ptr<NameLock> MemoryStore::lock_name(const std::string& resolver,
                                                 const std::string& main,
                                                 std::chrono::milliseconds timeout) {
  const std::string key = resolver + '\n' + main;
  Shared& shared = *shared_;
  std::unique_lock<std::mutex> lock(shared.mutex);
  ++shared.waiters;
  const bool free =
      shared.released.wait_for(lock, timeout, [&] { return shared.held.count(key) == 0; });
  --shared.waiters;
  if (!free) return nullptr;
  shared.held.insert(key);
  return std::make_unique<MemoryNameLock>(shared_, shared.mutex, shared.released, shared.held, key);
}

bool MemoryStore::locked(const std::string& resolver, const std::string& main) const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->held.count(resolver + '\n' + main) > 0;
}

std::size_t MemoryStore::lock_waiters() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->waiters;
}

std::vector<CertificateRecord> MemoryStore::written_certificates(
    const std::string& resolver) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, entry] : written_) {
    if (name == resolver) return entry.certificates;
  }
  return {};
}

void MemoryStore::begin_batch() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++batch_depth_;
}

void MemoryStore::commit_batch() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (batch_depth_ > 0 && --batch_depth_ > 0) return;
  if (unwritten_) write();
}

void MemoryStore::flush_batch() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (unwritten_) write();
}

std::optional<std::string> MemoryStore::load_cached(const std::string& key) const {
  check_cache_key(key);
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = cache_.find(key);
  if (found == cache_.end()) return std::nullopt;
  return found->second;
}

void MemoryStore::save_cached(const std::string& key, const std::string& value) noexcept {
  try {
    check_cache_key(key);
    std::lock_guard<std::mutex> lock(mutex_);
    cache_[key] = value;
  } catch (...) {
    // As every cache: not kept this time.
  }
}

std::size_t MemoryStore::writes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writes_;
}

void MemoryStore::changed() {
  if (batch_depth_ > 0) {
    unwritten_ = true;
  } else {
    write();
  }
}

void MemoryStore::write() {
  written_ = resolvers_;
  unwritten_ = false;
  ++writes_;
}

}  // namespace acmecpp::tools
