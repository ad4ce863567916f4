// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers for the transport and HTTP-01 tests: a real cpp-httplib server on a free loopback
// port, a free port number, and a temporary directory.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <httplib.h>

#include "support/process.hpp"

namespace acmecpp::test {

/// A listening TCP socket on 127.0.0.1 with a port the kernel chose; closed on destruction.
/// Holding it keeps the port busy (for bind-conflict tests); releasing it frees a port that
/// nothing listens on (for connection-refused tests and for solvers that need a fixed port).
class LoopbackListener {
 public:
  LoopbackListener() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      close(fd_);
      throw std::runtime_error("cannot bind a loopback socket");
    }
    port_ = ntohs(address.sin_port);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;
  ~LoopbackListener() { close(fd_); }

  int fd() const { return fd_; }
  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

/// A port on 127.0.0.1 that nothing listens on right now (the kernel just handed it out).
inline std::uint16_t unused_loopback_port() {
  return LoopbackListener().port();
}

/// A cpp-httplib server (plain or TLS) on 127.0.0.1 and a free port, run on its own thread.
/// Register handlers through server() before start(). Stopped and joined on destruction, so
/// declare it before the clients that talk to it (clients then close their connections first).
class LocalHttpServer {
 public:
  explicit LocalHttpServer(
      std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>(),
      std::string scheme = "http")
      : server_(std::move(server)), scheme_(std::move(scheme)) {
    server_->set_keep_alive_max_count(1000);  // keep-alive tests send more than the default 5
    server_->set_keep_alive_timeout(1);       // an idle connection never holds up stop() long
    server_->set_tcp_nodelay(true);  // else Nagle + delayed ACK add 40 ms to every response
  }
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;
  ~LocalHttpServer() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }

  httplib::Server& server() { return *server_; }

  void start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind the test server");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_;
  int port_ = 0;
  std::thread thread_;
};

/// A GET route that answers "late" only once released (or after `limit`), for requests that must
/// still be waiting on the server. Declare it before the server and release() it before the
/// server stops, so that stopping does not wait for the held handler.
class HeldRoute {
 public:
  void install(httplib::Server& server, const std::string& path,
               std::chrono::seconds limit = std::chrono::seconds(10)) {
    server.Get(path, [this, limit](const httplib::Request&, httplib::Response& response) {
      std::unique_lock<std::mutex> lock(mutex_);
      released_signal_.wait_for(lock, limit, [this] { return released_; });
      response.set_content("late", "text/plain");
    });
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      released_ = true;
    }
    released_signal_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_signal_;
  bool released_ = false;
};

/// A fresh directory under the system's temporary directory, removed with its content.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "acmecpp-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buffer.data();
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A throw-away CA and a server certificate for 127.0.0.1 and localhost, made with the openssl
/// command line.
struct TestPki {
  acmecpp::test::TemporaryDirectory directory;
  std::string ca_pem() const { return (directory.path() / "ca.pem").string(); }
  std::string server_pem() const { return (directory.path() / "server.pem").string(); }
  std::string server_key() const { return (directory.path() / "server.key").string(); }

  TestPki() {
    const std::string dir = directory.path().string();
    std::ofstream(dir + "/server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                          "basicConstraints=critical,CA:FALSE\n"
                                          "keyUsage=critical,digitalSignature\n"
                                          "extendedKeyUsage=serverAuth\n";
    const std::string quiet = " >" + dir + "/openssl.log 2>&1";
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
        " -subj '/CN=acmecpp test CA' -addext basicConstraints=critical,CA:TRUE"
        " -addext keyUsage=critical,keyCertSign"
        " -keyout " +
        dir + "/ca.key -out " + dir + "/ca.pem" + quiet);
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=localhost'"
        " -keyout " +
        dir + "/server.key -out " + dir + "/server.csr" + quiet);
    run("openssl x509 -req -days 2 -in " + dir + "/server.csr -CA " + dir + "/ca.pem -CAkey " +
        dir + "/ca.key -CAcreateserial -extfile " + dir + "/server.ext -out " + dir +
        "/server.pem" + quiet);
  }

  static void run(const std::string& command) {
    INFO("command: " << command);
    REQUIRE(acmecpp::testing::run_process({"/bin/sh", "-c", command}).exit_code == 0);
  }
};

}  // namespace acmecpp::test
