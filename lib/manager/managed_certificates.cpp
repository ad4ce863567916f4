// SPDX-License-Identifier: Apache-2.0
#include "manager/managed_certificates.hpp"

#include "acmecpp/names.hpp"

namespace acmecpp::manager {
namespace {

/// Names and per-name challenge types as the server's identifiers are compared: A-labels, lower
/// case, IP addresses in their canonical text. Throws Error(invalid_input) for an invalid name or
/// an empty list.
ManagedCertificate normalized(ManagedCertificate spec) {
  spec.names = normalize_identifiers(spec.names);
  std::map<std::string, std::string> per_name;
  for (const auto& [name, type] : spec.challenge_for_name) {
    per_name[normalize_identifier(name)] = type;
  }
  spec.challenge_for_name = std::move(per_name);
  return spec;
}

}  // namespace

std::vector<std::string> ManagedCertificates::manage(const std::vector<std::string>& names) {
  ManagedCertificate spec;
  spec.names = names;
  return manage(std::move(spec));
}

std::vector<std::string> ManagedCertificates::manage(ManagedCertificate spec) {
  spec = normalized(std::move(spec));  // throws before anything changes
  auto names = spec.names;
  std::lock_guard<std::mutex> lock(mutex_);
  put(std::move(spec));
  return names;
}

void ManagedCertificates::replace_all(const std::vector<ManagedCertificate>& specs) {
  std::vector<ManagedCertificate> checked;
  checked.reserve(specs.size());
  for (const auto& spec : specs) checked.push_back(normalized(spec));  // all, before any change
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, ManagedEntry> kept;
  for (auto& spec : checked) {
    const auto found = entries_.find(spec.names.front());
    ManagedEntry entry;
    if (found != entries_.end() && found->second.spec.names == spec.names) {
      entry.backoff = found->second.backoff;  // same certificate: its failures still count
    }
    entry.spec = std::move(spec);
    kept[entry.main()] = std::move(entry);
  }
  entries_ = std::move(kept);
  name_uses_.clear();
  for (const auto& [main, entry] : entries_) {
    for (const auto& name : entry.names()) ++name_uses_[name];
  }
}

void ManagedCertificates::forget_failures() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [main, entry] : entries_) entry.backoff.record_success();
}

void ManagedCertificates::put(ManagedCertificate spec) {
  auto& entry = entries_[spec.names.front()];
  if (entry.spec.names != spec.names) {
    for (const auto& name : entry.spec.names) {
      if (--name_uses_[name] == 0) name_uses_.erase(name);
    }
    for (const auto& name : spec.names) ++name_uses_[name];
    entry.backoff = AttemptBackoff{};  // new names: earlier failures say nothing about them
  }
  entry.spec = std::move(spec);
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
  return it != entries_.end() && it->second.spec.names == names ? &it->second : nullptr;
}

void ManagedCertificates::record_failure(const std::vector<std::string>& names,
                                         SteadyClock::time_point now,
                                         std::optional<SteadyClock::time_point> not_before) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto* entry = find(names)) entry->backoff.record_failure(now, not_before);
}

void ManagedCertificates::record_success(const std::vector<std::string>& names) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto* entry = find(names)) entry->backoff.record_success();
}

}  // namespace acmecpp::manager
