// SPDX-License-Identifier: Apache-2.0
// The Redis store's URLs: what parse_redis_url() takes and refuses, and how the place is printed
// (never with its password).

#include <doctest/doctest.h>

#include "acmecpp/redis_store.hpp"
#include "support/error_message.hpp"

using namespace acmecpp;
using acmecpp::testing::error_message_of;

TEST_CASE("redis URL: host, port, database, prefix and credentials") {
  const auto full = parse_redis_url("redis://ops:s%40cret@cache.internal:6380/3?prefix=edge");
  CHECK(full.host == "cache.internal");
  CHECK(full.port == 6380);
  CHECK(full.db == 3);
  CHECK(full.prefix == "edge");
  CHECK(full.user == "ops");
  CHECK(full.password == "s@cret");
  CHECK(full.unix_socket.empty());
  CHECK(full.printable_url() == "redis://ops:***@cache.internal:6380/3?prefix=edge");

  const auto plain = parse_redis_url("redis://10.0.0.5");
  CHECK(plain.host == "10.0.0.5");
  CHECK(plain.port == 6379);
  CHECK(plain.db == 0);
  CHECK(plain.prefix == "acme");
  CHECK(plain.user.empty());
  CHECK(plain.password.empty());
  CHECK(plain.printable_url() == "redis://10.0.0.5:6379/0?prefix=acme");

  const auto password_only = parse_redis_url("redis://:pw@h/1");
  CHECK(password_only.user.empty());
  CHECK(password_only.password == "pw");
  CHECK(password_only.printable_url() == "redis://:***@h:6379/1?prefix=acme");

  const auto user_only = parse_redis_url("redis://reader@h");
  CHECK(user_only.user == "reader");
  CHECK(user_only.password.empty());
  CHECK(user_only.printable_url() == "redis://reader@h:6379/0?prefix=acme");

  const auto v6 = parse_redis_url("redis://[::1]:7000?prefix=a.b-c_d");
  CHECK(v6.host == "::1");
  CHECK(v6.port == 7000);
  CHECK(v6.prefix == "a.b-c_d");
  CHECK(v6.printable_url() == "redis://[::1]:7000/0?prefix=a.b-c_d");
}

TEST_CASE("redis URL: a unix socket, with its database and prefix as parameters") {
  const auto socket = parse_redis_url("redis+unix:///run/redis/redis.sock?db=2&prefix=p");
  CHECK(socket.unix_socket == "/run/redis/redis.sock");
  CHECK(socket.db == 2);
  CHECK(socket.prefix == "p");
  CHECK(socket.printable_url() == "redis+unix:///run/redis/redis.sock?db=2&prefix=p");

  const auto with_password = parse_redis_url("redis+unix://:pw@/tmp/r.sock");
  CHECK(with_password.unix_socket == "/tmp/r.sock");
  CHECK(with_password.password == "pw");
  CHECK(with_password.printable_url() == "redis+unix://:***@/tmp/r.sock?db=0&prefix=acme");
}

TEST_CASE("redis URL: what is wrong is named, and the password never appears") {
  struct Bad {
    const char* url;
    const char* problem;
  };
  const Bad bad[] = {
      {"http://h", "must start with redis:// or redis+unix://"},
      {"redis://", "the host is empty"},
      {"redis://:pw@:6379", "the host is empty"},
      {"redis://u:hunter2@h:0", "the port must be a number from 1 to 65535"},
      {"redis://u:hunter2@h:65536", "the port must be a number from 1 to 65535"},
      {"redis://h:port", "the port must be a number from 1 to 65535"},
      {"redis://h:", "the port must be a number from 1 to 65535"},
      {"redis://h/x", "the database must be a number"},
      {"redis://h/-1", "the database must be a number"},
      {"redis://h/1?db=2", "the database is given twice"},
      {"redis://h?prefix=", "the prefix must be"},
      {"redis://h?prefix=a:b", "the prefix must be"},
      {"redis://h?timeout=3", "unknown parameter \"timeout\""},
      {"redis://h?prefix", "is not NAME=VALUE"},
      {"redis://u:hunter2%zz@h", "bad percent-encoding in the password"},
      {"redis://[::1", "lacks its closing ']'"},
      {"redis://h/0#x", "a fragment"},
      {"redis://h o", "a character a host name cannot hold"},
      {"redis+unix://relative.sock", "absolute socket path"},
      {"redis+unix://u:hunter2@", "absolute socket path"},
      {"redis+unix:///s?db=x", "the database must be a number"},
  };
  for (const auto& one : bad) {
    CAPTURE(one.url);
    const auto message =
        error_message_of(ErrorKind::invalid_input, [&] { parse_redis_url(one.url); });
    CHECK(message.find(one.problem) != std::string::npos);
    CHECK(message.find("invalid Redis URL") != std::string::npos);
    CHECK(message.find("hunter2") == std::string::npos);
  }
  const auto masked =
      error_message_of(ErrorKind::invalid_input, [] { parse_redis_url("redis://u:hunter2@h:0"); });
  CHECK(masked.find("redis://u:***@h:0") != std::string::npos);
}

TEST_CASE("redis URL: is_redis_url tells a URL from an acme.json path") {
  CHECK(is_redis_url("redis://h"));
  CHECK(is_redis_url("redis+unix:///s"));
  CHECK_FALSE(is_redis_url("./acme.json"));
  CHECK_FALSE(is_redis_url("redis.json"));
  CHECK_FALSE(is_redis_url("rediss://h"));
}

TEST_CASE("redis store: options that cannot work are refused before connecting") {
  RedisOptions options;
  options.host.clear();
  CHECK(error_message_of(ErrorKind::invalid_input, [&] {
          RedisStore store(options);
        }).find("host") != std::string::npos);
  options.host = "127.0.0.1";
  options.lock_ttl = std::chrono::milliseconds(10);
  CHECK(error_message_of(ErrorKind::invalid_input, [&] {
          RedisStore store(options);
        }).find("lock_ttl") != std::string::npos);
}
