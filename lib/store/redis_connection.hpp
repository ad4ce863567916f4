// SPDX-License-Identifier: Apache-2.0
#pragma once
// One connection to Redis through hiredis, for RedisStore: made at first use, guarded by a mutex,
// dropped after any failure of the connection and made again by the next command. Every failure
// is an Error(storage) naming the printable URL and what failed (a command's name, never its
// arguments, which may be keys or secrets).

#include <hiredis/hiredis.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "acmecpp/redis_store.hpp"
#include "core/c_handle.hpp"

namespace acmecpp::store {

using RedisContextPtr = core::CHandle<redisContext, redisFree>;
using RedisReplyPtr = core::CHandle<redisReply, freeReplyObject>;

/// A command as its words (no quoting: each word is sent as it is, binary-safe).
using RedisCommand = std::vector<std::string>;

class RedisConnection {
 public:
  explicit RedisConnection(RedisOptions options);

  const RedisOptions& options() const noexcept { return options_; }
  const std::string& url() const noexcept { return url_; }

  /// Sends one command and returns its reply. An error reply throws Error(storage).
  RedisReplyPtr command(const RedisCommand& words);
  /// MULTI, the commands, EXEC, sent together: all are applied or none. The EXEC's reply (one
  /// element a command). Throws Error(storage) when Redis refused any of them.
  RedisReplyPtr transaction(const std::vector<RedisCommand>& commands);
  /// Deletes `key` only while it holds `value` (a lock's token, a node's proof), atomically, so
  /// that what another put there since is left alone. True when it deleted. Throws
  /// Error(storage) as command() does.
  bool delete_if_equal(const std::string& key, const std::string& value);
  /// Subscribes this connection to `channel` (from then on it only receives), calls
  /// `subscribed()` once Redis confirmed, then `message(payload)` for each message on it, and
  /// asks `keep_going()` between messages and at least every `poll`: when it says false, drops
  /// the connection and returns. Throws Error(storage) when the connection fails (it is dropped;
  /// the next call connects again). The callbacks run on the caller's thread.
  void listen(const std::string& channel, const std::function<void()>& subscribed,
              const std::function<void(const std::string&)>& message,
              const std::function<bool()>& keep_going,
              std::chrono::milliseconds poll = std::chrono::milliseconds(200));

 private:
  /// With mutex_ held: connected, authenticated and on the right database, or throws.
  redisContext& connected();
  /// With mutex_ held: drops the connection and throws Error(storage) for `what`.
  [[noreturn]] void fail(const std::string& what);
  void append(redisContext& context, const RedisCommand& words);
  RedisReplyPtr reply(redisContext& context, const std::string& what);
  /// With mutex_ held: the replies already read into the context's buffer, each to `handle`.
  void drain(redisContext& context, const std::function<void(const redisReply&)>& handle);

  const RedisOptions options_;
  const std::string url_;
  std::mutex mutex_;
  RedisContextPtr context_;
};

/// A key's part: '%' and ':' percent-encoded, so that "P:cert:<resolver>:<main>" is unambiguous.
std::string redis_key_part(const std::string& text);

/// The reply's text (a string or status reply), or "" for anything else.
std::string reply_text(const redisReply& reply);

}  // namespace acmecpp::store
