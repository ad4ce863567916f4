#include "manager/managed_certificates.hpp"

#include "acmecpp/names.hpp"

namespace acmecpp::manager {

std::vector<std::string> ManagedCertificates::manage(const std::vector<std::string>& names) {
  auto normalized = normalize_dns_names(names);  // throws before anything changes
  std::lock_guard<std::mutex> lock(mutex_);
  auto& entry = entries_[normalized.front()];
  if (entry.names != normalized) {
    for (const auto& name : entry.names) {
      if (--name_uses_[name] == 0) name_uses_.erase(name);
    }
    for (const auto& name : normalized) ++name_uses_[name];
    entry.names = normalized;
    entry.backoff = AttemptBackoff{};  // new names: earlier failures say nothing about them
  }
  return normalized;
}

std::vector<ManagedEntry> ManagedCertificates::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ManagedEntry> copy;
  copy.reserve(entries_.size());
  for (const auto& [main, entry] : entries_) copy.push_back(entry);
  return copy;
}

bool ManagedCertificates::names(const std::string& normalized_name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return name_uses_.count(normalized_name) != 0;
}

std::size_t ManagedCertificates::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

ManagedEntry* ManagedCertificates::find(const std::vector<std::string>& names) {
  if (names.empty()) return nullptr;
  const auto it = entries_.find(names.front());
  return it != entries_.end() && it->second.names == names ? &it->second : nullptr;
}

void ManagedCertificates::record_failure(const std::vector<std::string>& names,
                                         SteadyClock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto* entry = find(names)) entry->backoff.record_failure(now);
}

void ManagedCertificates::record_success(const std::vector<std::string>& names) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto* entry = find(names)) entry->backoff.record_success();
}

}  // namespace acmecpp::manager
