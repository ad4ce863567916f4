// SPDX-License-Identifier: Apache-2.0
#include "acme/nonce_pool.hpp"

#include <algorithm>

namespace acmecpp::acme {

void NoncePool::put(std::string nonce) {
  if (!is_valid_nonce(nonce)) return;
  std::lock_guard<std::mutex> lock(mutex_);
  nonces_.push_back(std::move(nonce));
  while (nonces_.size() > capacity_) nonces_.pop_front();
}

std::optional<std::string> NoncePool::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (nonces_.empty()) return std::nullopt;
  std::string nonce = std::move(nonces_.back());
  nonces_.pop_back();
  return nonce;
}

std::size_t NoncePool::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return nonces_.size();
}

void NoncePool::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  nonces_.clear();
}

bool is_valid_nonce(const std::string& nonce) {
  return !nonce.empty() && std::all_of(nonce.begin(), nonce.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

}  // namespace acmecpp::acme
