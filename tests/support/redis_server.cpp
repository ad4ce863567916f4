// SPDX-License-Identifier: Apache-2.0
#include "support/redis_server.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "acmecpp/error.hpp"
#include "support/free_port.hpp"

namespace acmecpp::testing {
namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";

}  // namespace

RedisServer::RedisServer(RedisServerOptions options) : options_(std::move(options)) {
  if (::access(kRedisServer, X_OK) != 0) {
    throw Error(ErrorKind::config, std::string(kRedisServer) +
                                       " is not installed: the Redis store's tests need it "
                                       "(Debian package redis-server, scripts/install-deps.sh)");
  }
  port_ = free_tcp_port();
  start();
}

RedisServer::~RedisServer() {
  stop();
}

std::string RedisServer::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_);
}

RedisOptions RedisServer::options(const std::string& prefix) const {
  RedisOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  options.prefix = prefix;
  if (!options_.acl_user.empty()) {
    options.user = options_.acl_user;
    options.password = options_.acl_password;
  } else {
    options.password = options_.password;
  }
  return options;
}

void RedisServer::start() {
  if (process_ && process_->running()) return;
  std::vector<std::string> argv{kRedisServer,
                                "--port",
                                std::to_string(port_),
                                "--bind",
                                "127.0.0.1",
                                "--unixsocket",
                                socket().string(),
                                "--unixsocketperm",
                                "700",
                                "--dir",
                                dir_.path().string(),
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--daemonize",
                                "no",
                                "--logfile",
                                (dir_ / "redis.log").string()};
  if (!options_.password.empty()) {
    argv.insert(argv.end(), {"--requirepass", options_.password});
  }
  if (!options_.acl_user.empty()) {
    argv.insert(argv.end(), {"--user", options_.acl_user, "on", ">" + options_.acl_password, "~*",
                             "&*", "+@all"});
  }
  process_.emplace(argv, ProcessOptions{}, dir_ / "redis.out");
  RedisOptions probe = options();
  probe.connect_timeout = std::chrono::milliseconds(500);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    try {
      RedisStore(probe).ping();
      return;
    } catch (const Error&) {
      if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
        const std::string text = log();
        stop();
        throw Error(ErrorKind::config,
                    "redis-server did not come up on port " + std::to_string(port_) + ": " + text);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

void RedisServer::stop() {
  if (!process_) return;
  process_->kill(SIGTERM);
  if (!process_->wait(std::chrono::seconds(10))) {
    process_.reset();  // SIGKILL to its group and reaped
    return;
  }
  process_.reset();
}

std::string RedisServer::log() const {
  std::string text;
  for (const char* name : {"redis.log", "redis.out"}) {
    try {
      text += read_text_file(dir_ / name);
    } catch (const Error&) {
    }
  }
  return text;
}

}  // namespace acmecpp::testing
