// SPDX-License-Identifier: Apache-2.0
// redis_lock_holder PORT PREFIX RESOLVER NAME TTL_MS: takes the name's lock in a RedisStore on
// 127.0.0.1:PORT, says "locked" on stdout, and keeps it (refreshing it) until it is killed. The
// Redis store's test SIGKILLs it to show that a dead holder's lock lapses after its TTL.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "acmecpp/redis_store.hpp"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: redis_lock_holder PORT PREFIX RESOLVER NAME TTL_MS\n");
    return 2;
  }
  try {
    acmecpp::RedisOptions options;
    options.port = static_cast<std::uint16_t>(std::stoi(argv[1]));
    options.prefix = argv[2];
    options.lock_ttl = std::chrono::milliseconds(std::stol(argv[5]));
    acmecpp::RedisStore store(options);
    const auto lock = store.lock_name(argv[3], argv[4], std::chrono::seconds(10));
    if (!lock) {
      std::fprintf(stderr, "redis_lock_holder: the lock is busy\n");
      return 1;
    }
    std::printf("locked\n");
    std::fflush(stdout);
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redis_lock_holder: %s\n", e.what());
    return 1;
  }
}
