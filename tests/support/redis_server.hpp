// SPDX-License-Identifier: Apache-2.0
#pragma once
// A private redis-server (Debian's, 7.0) for one test: a free loopback port, a unix socket and
// its files in a temporary directory, nothing saved to disk, stopped by PID.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "acmecpp/redis_store.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace acmecpp::testing {

struct RedisServerOptions {
  /// requirepass: the default user's password ("" none).
  std::string password;
  /// An ACL user with every right on every key, and its password ("" none).
  std::string acl_user;
  std::string acl_password;
};

class RedisServer {
 public:
  /// Starts redis-server and returns when it answers PING. Throws acmecpp::Error(config) saying
  /// so when redis-server is not installed (scripts/install-deps.sh installs it) or does not
  /// come up (with its log).
  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::filesystem::path socket() const { return dir_ / "redis.sock"; }
  pid_t pid() const noexcept { return process_ ? process_->pid() : -1; }
  /// "redis://127.0.0.1:PORT" (no credentials) and the options for it, with a prefix of its own.
  std::string url() const;
  RedisOptions options(const std::string& prefix = "acme") const;

  /// SIGTERM by PID and waits until it is gone. Idempotent.
  void stop();
  /// Starts it again on the same port and socket (its data is gone: nothing is saved).
  void start();
  std::string log() const;

 private:
  RedisServerOptions options_;
  TempDir dir_{"acmecpp-redis"};
  std::uint16_t port_ = 0;
  std::optional<ChildProcess> process_;
};

}  // namespace acmecpp::testing
