// SPDX-License-Identifier: Apache-2.0
#include "store/redis_connection.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/time.h>

#include <cerrno>
#include <csignal>

#include <utility>

#include "acmecpp/error.hpp"

namespace acmecpp::store {
namespace {

timeval to_timeval(std::chrono::milliseconds duration) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(duration.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((duration.count() % 1000) * 1000);
  return tv;
}

/// hiredis writes with write(): to a Redis that went away, that raises SIGPIPE, which would end
/// the embedding program. Blocked in the calling thread while a command runs; a SIGPIPE it
/// raised is taken out of the pending set before the thread's mask is restored.
class SigpipeSuppressed {
 public:
  SigpipeSuppressed() noexcept {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    was_pending_ = pending();
  }
  ~SigpipeSuppressed() {
    if (!was_pending_ && pending()) {
      const timespec zero{};
      while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeSuppressed(const SigpipeSuppressed&) = delete;
  SigpipeSuppressed& operator=(const SigpipeSuppressed&) = delete;

 private:
  static bool pending() noexcept {
    sigset_t set;
    sigemptyset(&set);
    sigpending(&set);
    return sigismember(&set, SIGPIPE) == 1;
  }
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

}  // namespace

std::string redis_key_part(const std::string& text) {
  std::string part;
  for (const char c : text) {
    if (c == '%') {
      part += "%25";
    } else if (c == ':') {
      part += "%3A";
    } else {
      part += c;
    }
  }
  return part;
}

std::string reply_text(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_STRING && reply.type != REDIS_REPLY_STATUS) return {};
  return std::string(reply.str, reply.len);
}

RedisConnection::RedisConnection(RedisOptions options)
    : options_(std::move(options)), url_(options_.printable_url()) {}

void RedisConnection::fail(const std::string& what) {
  std::string reason = "no connection";
  if (context_ && context_->err != 0) reason = context_->errstr;
  context_.reset();
  throw Error(ErrorKind::storage, "Redis at " + url_ + ": " + what + " failed: " + reason);
}

void RedisConnection::append(redisContext& context, const RedisCommand& words) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(words.size());
  lengths.reserve(words.size());
  for (const auto& word : words) {
    argv.push_back(word.data());
    lengths.push_back(word.size());
  }
  if (redisAppendCommandArgv(&context, static_cast<int>(argv.size()), argv.data(),
                             lengths.data()) != REDIS_OK) {
    fail(words.empty() ? std::string("a command") : words.front());
  }
}

RedisReplyPtr RedisConnection::reply(redisContext& context, const std::string& what) {
  void* raw = nullptr;
  if (redisGetReply(&context, &raw) != REDIS_OK || raw == nullptr) fail(what);
  RedisReplyPtr result(static_cast<redisReply*>(raw));
  if (result->type == REDIS_REPLY_ERROR) {
    throw Error(ErrorKind::storage, "Redis at " + url_ + ": " + what +
                                        " was refused: " + std::string(result->str, result->len));
  }
  return result;
}

redisContext& RedisConnection::connected() {
  if (context_) return *context_;
  const timeval connect_timeout = to_timeval(options_.connect_timeout);
  context_.reset(
      options_.unix_socket.empty()
          ? redisConnectWithTimeout(options_.host.c_str(), options_.port, connect_timeout)
          : redisConnectUnixWithTimeout(options_.unix_socket.c_str(), connect_timeout));
  if (!context_) {
    throw Error(ErrorKind::storage, "Redis at " + url_ + ": connecting failed: out of memory");
  }
  if (context_->err != 0) fail("connecting");
  if (redisSetTimeout(context_.get(), to_timeval(options_.command_timeout)) != REDIS_OK) {
    fail("setting the command timeout");
  }
  try {
    if (!options_.password.empty()) {
      RedisCommand auth{"AUTH"};
      if (!options_.user.empty()) auth.push_back(options_.user);
      auth.push_back(options_.password);
      append(*context_, auth);
      reply(*context_, "AUTH");
    }
    if (options_.db != 0) {
      append(*context_, {"SELECT", std::to_string(options_.db)});
      reply(*context_, "SELECT");
    }
  } catch (...) {
    context_.reset();  // refused AUTH or SELECT: try again from the start next time
    throw;
  }
  return *context_;
}

RedisReplyPtr RedisConnection::command(const RedisCommand& words) {
  std::lock_guard<std::mutex> guard(mutex_);
  const SigpipeSuppressed no_sigpipe;
  redisContext& context = connected();
  append(context, words);
  return reply(context, words.front());
}

bool RedisConnection::delete_if_equal(const std::string& key, const std::string& value) {
  static constexpr const char* kScript =
      "if redis.call('get', KEYS[1]) == ARGV[1] then "
      "return redis.call('del', KEYS[1]) else return 0 end";
  const auto reply = command({"EVAL", kScript, "1", key, value});
  return reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
}

RedisReplyPtr RedisConnection::transaction(const std::vector<RedisCommand>& commands) {
  std::lock_guard<std::mutex> guard(mutex_);
  const SigpipeSuppressed no_sigpipe;
  redisContext& context = connected();
  append(context, {"MULTI"});
  for (const auto& words : commands) append(context, words);
  append(context, {"EXEC"});
  // Every reply is read, so that the connection stays in step even when one was an error.
  std::string refused;
  try {
    reply(context, "MULTI");
  } catch (const Error& e) {
    if (!context_) throw;
    refused = e.what();
  }
  for (const auto& words : commands) {
    try {
      reply(context, words.front());
    } catch (const Error& e) {
      if (!context_) throw;
      if (refused.empty()) refused = e.what();
    }
  }
  RedisReplyPtr exec;
  try {
    exec = reply(context, "EXEC");
  } catch (const Error& e) {
    if (!context_ || refused.empty()) throw;
  }
  if (!refused.empty()) throw Error(ErrorKind::storage, refused);
  if (exec->type != REDIS_REPLY_ARRAY) {
    throw Error(ErrorKind::storage, "Redis at " + url_ + ": EXEC did not apply the transaction");
  }
  return exec;
}

void RedisConnection::drain(redisContext& context,
                            const std::function<void(const redisReply&)>& handle) {
  for (;;) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(&context, &raw) != REDIS_OK) fail("reading a notice");
    if (raw == nullptr) return;
    const RedisReplyPtr reply(static_cast<redisReply*>(raw));
    handle(*reply);
  }
}

void RedisConnection::listen(const std::string& channel, const std::function<void()>& subscribed,
                             const std::function<void(const std::string&)>& message,
                             const std::function<bool()>& keep_going,
                             std::chrono::milliseconds poll) {
  std::lock_guard<std::mutex> guard(mutex_);
  const SigpipeSuppressed no_sigpipe;
  redisContext& context = connected();
  append(context, {"SUBSCRIBE", channel});
  reply(context, "SUBSCRIBE");
  subscribed();
  // A message is ["message", channel, payload]; anything else (a confirmation) is not one.
  const auto handle = [&message](const redisReply& reply) {
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 3) return;
    const redisReply& kind = *reply.element[0];
    const redisReply& payload = *reply.element[2];
    if (reply_text(kind) != "message" || payload.type != REDIS_REPLY_STRING) return;
    message(std::string(payload.str, payload.len));
  };
  for (;;) {
    drain(context, handle);
    if (!keep_going()) {
      context_.reset();  // subscribed: no use for anything else
      return;
    }
    pollfd ready{context.fd, POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(poll.count()));
    if (polled < 0 && errno == EINTR) continue;
    if (polled < 0) fail("waiting for notices");
    if (polled == 0) continue;
    // Readable: the read does not block (a closed connection reads as an error).
    if (redisBufferRead(&context) != REDIS_OK) fail("reading notices");
  }
}

}  // namespace acmecpp::store
