// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "acmecpp/error.hpp"
#include "core/unique_fd.hpp"
#include "support/free_port.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp::testing;
using acmecpp::core::UniqueFd;

namespace {

bool can_bind(int type, std::uint16_t port) {
  const UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

}  // namespace

TEST_CASE("TempDir creates a private directory and removes it with its content") {
  std::filesystem::path path;
  {
    TempDir dir("acmecpp-unit");
    path = dir.path();
    REQUIRE(std::filesystem::is_directory(path));
    CHECK(path.filename().string().rfind("acmecpp-unit-", 0) == 0);
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);
    std::filesystem::create_directories(dir / "a" / "b");
    write_text_file(dir / "a" / "b" / "file.txt", "content");
    CHECK(read_text_file(dir / "a" / "b" / "file.txt") == "content");
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("TempDir hands ownership over when moved") {
  TempDir first;
  const std::filesystem::path path = first.path();
  TempDir second(std::move(first));
  CHECK(second.path() == path);
  CHECK(first.path().empty());
  CHECK(std::filesystem::is_directory(path));
}

TEST_CASE("TempDir honours TMPDIR") {
  TempDir parent;
  const char* previous = std::getenv("TMPDIR");
  const std::string saved = previous != nullptr ? previous : "";
  REQUIRE(::setenv("TMPDIR", parent.path().c_str(), 1) == 0);
  {
    TempDir child;
    CHECK(child.path().parent_path() == parent.path());
  }
  if (previous != nullptr) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
}

TEST_CASE("read_text_file names a file it cannot read") {
  CHECK_THROWS_WITH_AS(read_text_file("/nonexistent/acmecpp/file.txt"),
                       doctest::Contains("/nonexistent/acmecpp/file.txt"), acmecpp::Error);
}

TEST_CASE("free ports can be bound right after they are chosen") {
  const std::uint16_t tcp = free_tcp_port();
  CHECK(tcp > 0);
  CHECK(can_bind(SOCK_STREAM, tcp));
  const std::uint16_t udp = free_udp_port();
  CHECK(udp > 0);
  CHECK(can_bind(SOCK_DGRAM, udp));
  const std::uint16_t both = free_tcp_and_udp_port();
  CHECK(can_bind(SOCK_STREAM, both));
  CHECK(can_bind(SOCK_DGRAM, both));
}

TEST_CASE("a port in use is not reported free") {
  const UniqueFd holder(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(holder.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(holder.get(), 1) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(holder.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const std::uint16_t held = ntohs(address.sin_port);
  CHECK_FALSE(can_bind(SOCK_STREAM, held));
  for (int i = 0; i < 50; ++i) CHECK(free_tcp_port() != held);
}
