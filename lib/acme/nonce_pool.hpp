// SPDX-License-Identifier: Apache-2.0
#pragma once
// Replay-Nonce values handed out by the server (RFC 8555 section 7.2). Every response carries one;
// keeping them saves a newNonce round trip per signed request.

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace acmecpp::acme {

class NoncePool {
 public:
  explicit NoncePool(std::size_t capacity = 16) : capacity_(capacity) {}
  /// Keeps a nonce; the oldest is dropped when the pool is full (old nonces may have expired).
  void put(std::string nonce);
  /// The freshest nonce, removed from the pool; nullopt when empty.
  std::optional<std::string> take();
  std::size_t size() const;
  /// Drops every nonce (after the server rejected one, the others are suspect too).
  void clear();

 private:
  mutable std::mutex mutex_;
  std::deque<std::string> nonces_;
  std::size_t capacity_;
};

/// RFC 8555 says a nonce is base64url; refuse anything else rather than echo it back.
bool is_valid_nonce(const std::string& nonce);

}  // namespace acmecpp::acme
