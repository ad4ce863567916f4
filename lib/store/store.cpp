// SPDX-License-Identifier: Apache-2.0
// What every Store shares: the default lookups, batches and cache area, for backends that have
// nothing better to offer.

#include <utility>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "core/ascii.hpp"

namespace acmecpp {

std::vector<CertificateRecord> Store::certificates_named(const std::string& resolver,
                                                         const std::string& main) const {
  std::vector<CertificateRecord> named;
  for (auto& record : certificates(resolver)) {
    if (core::equal_ignoring_ascii_case(record.main, main)) named.push_back(std::move(record));
  }
  return named;
}

std::optional<PendingOrder> Store::load_pending_order(const std::string&,
                                                      const std::string&) const {
  return std::nullopt;
}

void Store::save_pending_order(const std::string&, const PendingOrder& order) {
  if (order.names.empty()) {
    throw Error(ErrorKind::invalid_input, "an order to keep needs its names");
  }
}

bool Store::remove_pending_order(const std::string&, const std::string&) {
  return false;
}

std::string Store::load_server(const std::string&) const {
  return {};
}

void Store::save_server(const std::string&, const std::string&) {}

std::unique_ptr<StoreWatch> Store::watch_certificates(CertificateChangeCallback) {
  return nullptr;
}

std::shared_ptr<SharedChallenges> Store::shared_challenges() {
  return nullptr;
}

void check_cache_key(const std::string& key) {
  const bool valid =
      !key.empty() && key.size() <= 64 &&
      key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") == std::string::npos &&
      key.front() != '.';
  if (!valid) {
    throw Error(ErrorKind::invalid_input,
                "invalid store cache key \"" + key +
                    "\": use 1 to 64 lower-case letters, digits, '.', '-' or '_', not starting "
                    "with '.'");
  }
}

std::optional<std::string> Store::load_cached(const std::string& key) const {
  check_cache_key(key);
  return std::nullopt;
}

void Store::save_cached(const std::string&, const std::string&) noexcept {}

Store::Batch::Batch(Store& store) : store_(&store) {
  store.begin_batch();
}

Store::Batch::~Batch() {
  if (store_ == nullptr) return;
  try {
    store_->commit_batch();
  } catch (const std::exception&) {
    // Unseen by design: commit() is where a caller learns of a failed write.
  }
}

void Store::Batch::commit() {
  Store* store = std::exchange(store_, nullptr);
  if (store != nullptr) store->commit_batch();
}

}  // namespace acmecpp
