// SPDX-License-Identifier: Apache-2.0
// serve_bench: the library's serving path as a proxy would run it, for bench/serving.sh. It loads
// a store into a CertificateCache (or lets a CertManager do it, with on-demand issuance), puts it
// on one SSL_CTX with install_tls_server() and completes TLS handshakes on an epoll event loop
// per worker thread (non-blocking, like HAProxy's threads and nginx's workers). After a handshake
// it reads until the client closes; it serves no HTTP, so that what is measured is the handshake.
//
// Usage: serve_bench --store FILE --port P [--address A] [--workers N] [--resolver R]
//                    [--swap-store FILE] [--swap-mode load|put]
//                    [--directory URL --ca-bundle FILE --on-demand-suffix S
//                     --on-demand-wait-ms MS [--on-demand-async]]
//
// Prints "loaded N names in X ms" and then "serving" on stdout once it accepts. SIGHUP swaps every
// certificate for the ones in --swap-store (and back on the next SIGHUP): `load` replaces the
// cache in one step (CertificateCache::load), `put` puts each certificate on its own, as renewals
// do (CertificateCache::put); it prints "swapped N certificates in X ms". SIGTERM/SIGINT stop it.
// With --directory it runs a CertManager on the store instead (its cache, its certificate_for()
// for unknown names, TLS-ALPN-01 on the same listener), allowing on-demand names that end in S.
// --on-demand-async asks CertManager::certificate_async() instead: a handshake for a new name
// pauses (SSL_ERROR_WANT_CLIENT_HELLO_CB) and its worker serves other connections until the
// manager's ready call, which wakes the worker through an eventfd to resume it.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <CLI/CLI.hpp>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/certificate_cache.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "acmecpp/tls_server.hpp"
#include "acmecpp/tlsalpn01.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string store;
  std::string swap_store;
  std::string swap_mode = "load";
  std::string resolver = "letsencrypt";
  std::string address = "127.0.0.1";
  int port = 0;
  int workers = 1;
  std::string directory;
  std::string ca_bundle;
  std::string on_demand_suffix;
  int on_demand_wait_ms = 10000;
  bool on_demand_async = false;
};

Options parse_options(int argc, char** argv) {
  Options options;
  CLI::App app{"serve_bench: the library's serving path for bench/serving.sh"};
  app.add_option("--store", options.store, "acme.json to serve")->required();
  app.add_option("--port", options.port, "loopback port to listen on")->required();
  app.add_option("--address", options.address, "address to listen on");
  app.add_option("--workers", options.workers, "event-loop threads")->check(CLI::PositiveNumber);
  app.add_option("--resolver", options.resolver, "resolver section of the store");
  app.add_option("--swap-store", options.swap_store, "what SIGHUP swaps every certificate for");
  app.add_option("--swap-mode", options.swap_mode, "load: one snapshot; put: one by one")
      ->check(CLI::IsMember({"load", "put"}));
  app.add_option("--directory", options.directory, "ACME directory: run a CertManager");
  app.add_option("--ca-bundle", options.ca_bundle, "CA file trusted for the ACME server");
  app.add_option("--on-demand-suffix", options.on_demand_suffix, "names allowed on demand");
  app.add_option("--on-demand-wait-ms", options.on_demand_wait_ms,
                 "how long a handshake waits for an on-demand issuance");
  app.add_flag("--on-demand-async", options.on_demand_async,
               "pause handshakes for on-demand names instead of blocking the worker");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::exit(app.exit(error));
  }
  return options;
}

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int listen_on(const Options& options) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(options.port));
  if (inet_pton(AF_INET, options.address.c_str(), &address.sin_addr) != 1) {
    throw std::runtime_error("bad address " + options.address);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 4096) != 0) {
    throw std::runtime_error("cannot listen on " + options.address + ":" +
                             std::to_string(options.port) + ": " + std::strerror(errno));
  }
  return fd;
}

struct Connection {
  int fd;
  SSL* ssl;
  bool established = false;
};

/// What the manager's ready calls hand to a worker: the paused connections to resume. A ready
/// call goes to every worker; each resumes only the connections it holds.
struct ResumeQueue {
  int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  std::mutex mutex;
  std::vector<SSL*> ready;

  void push(SSL* ssl) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      ready.push_back(ssl);
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = write(wake_fd, &one, sizeof one);
  }
  std::vector<SSL*> take() {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto got = read(wake_fd, &count, sizeof count);
    std::vector<SSL*> taken;
    std::lock_guard<std::mutex> lock(mutex);
    taken.swap(ready);
    return taken;
  }
};

// The worker's live connections by SSL, so that a ready call for a connection gone meanwhile is
// ignored.
using LiveConnections = std::unordered_map<SSL*, Connection*>;

void close_connection(int epoll_fd, Connection* connection, LiveConnections& live) {
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, connection->fd, nullptr);
  live.erase(connection->ssl);
  SSL_free(connection->ssl);
  close(connection->fd);
  delete connection;
}

// Drives one connection as far as it goes without blocking; false when it is finished.
bool drive(int epoll_fd, Connection* connection) {
  ERR_clear_error();
  int result;
  if (!connection->established) {
    result = SSL_do_handshake(connection->ssl);
    if (result == 1) connection->established = true;
  }
  if (connection->established) {
    char buffer[4096];
    do {
      result = SSL_read(connection->ssl, buffer, sizeof buffer);
    } while (result > 0);
  }
  const int error = SSL_get_error(connection->ssl, result);
  std::uint32_t events = 0;
  if (error == SSL_ERROR_WANT_READ) events = EPOLLIN;
  if (error == SSL_ERROR_WANT_WRITE) events = EPOLLOUT;
  // Paused for an on-demand name: no socket events until the manager's ready call.
  if (error == SSL_ERROR_WANT_CLIENT_HELLO_CB) events = EPOLLRDHUP;
  if (events == 0) return false;  // closed by the client, or failed
  epoll_event event{};
  event.events = events;
  event.data.ptr = connection;
  epoll_ctl(epoll_fd, EPOLL_CTL_MOD, connection->fd, &event);
  return true;
}

void resume(int epoll_fd, ResumeQueue& queue, LiveConnections& live) {
  for (SSL* ssl : queue.take()) {
    // Only a connection of this worker's is looked at (an SSL freed meanwhile is not one).
    const auto found = live.find(ssl);
    if (found == live.end()) continue;
    Connection* connection = found->second;
    if (!drive(epoll_fd, connection)) close_connection(epoll_fd, connection, live);
  }
}

void worker(SSL_CTX* context, int listen_fd, ResumeQueue& queue,
            const std::atomic<bool>& stopping) {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  epoll_event listening{};
  listening.events = EPOLLIN | EPOLLEXCLUSIVE;
  listening.data.ptr = nullptr;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &listening);
  epoll_event waking{};
  waking.events = EPOLLIN;
  waking.data.ptr = &queue;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, queue.wake_fd, &waking);
  LiveConnections live;
  std::vector<epoll_event> ready(256);
  while (!stopping.load()) {
    const int count = epoll_wait(epoll_fd, ready.data(), static_cast<int>(ready.size()), 200);
    bool woken = false;
    for (int i = 0; i < count; ++i) {
      if (ready[i].data.ptr == &queue) {
        woken = true;  // after this batch, whose events may name connections resume() closes
        continue;
      }
      auto* connection = static_cast<Connection*>(ready[i].data.ptr);
      if (connection == nullptr) {
        int fd;
        while ((fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          const int on = 1;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
          auto* accepted = new Connection{fd, SSL_new(context)};
          live.emplace(accepted->ssl, accepted);
          SSL_set_fd(accepted->ssl, fd);
          SSL_set_accept_state(accepted->ssl);
          epoll_event event{};
          event.events = EPOLLIN;
          event.data.ptr = accepted;
          epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
          if (!drive(epoll_fd, accepted)) close_connection(epoll_fd, accepted, live);
        }
        continue;
      }
      if (!drive(epoll_fd, connection)) close_connection(epoll_fd, connection, live);
    }
    if (woken) resume(epoll_fd, queue, live);
  }
  close(epoll_fd);  // connections still open at exit are left to the process's end
}

// One swap of every certificate: from the swap store, or back to the first one.
class Swapper {
 public:
  Swapper(const Options& options, acmecpp::CertificateCache& cache)
      : options_(options), cache_(cache) {}

  void swap() {
    const std::string& path = towards_swap_ ? options_.swap_store : options_.store;
    towards_swap_ = !towards_swap_;
    const auto start = Clock::now();
    acmecpp::AcmeJsonStore store(path);
    std::size_t count = 0;
    if (options_.swap_mode == "load") {
      cache_.load(store, options_.resolver);
      count = cache_.size();
    } else {
      for (const auto& record : store.certificates(options_.resolver)) {
        cache_.put(acmecpp::ServingCertificate::from_record(record));
        ++count;
      }
    }
    std::cout << "swapped " << count << " certificates (" << options_.swap_mode << ") in "
              << milliseconds_since(start) << " ms" << std::endl;
  }

 private:
  const Options& options_;
  acmecpp::CertificateCache& cache_;
  bool towards_swap_ = true;
};

bool has_suffix(std::string_view name, std::string_view suffix) {
  return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

std::unique_ptr<acmecpp::CertManager> make_manager(
    const Options& options, const std::shared_ptr<acmecpp::TlsAlpn01Responder>& alpn) {
  acmecpp::ManagerConfig config;
  config.acme.directory_url = options.directory;
  config.acme.ca_bundle = options.ca_bundle;
  config.email = "bench@example.com";
  config.agree_tos = true;
  config.resolver = options.resolver;
  config.store = std::make_shared<acmecpp::AcmeJsonStore>(options.store);
  config.solvers = {alpn};
  config.challenge_preference = {"tls-alpn-01"};
  config.key_type = acmecpp::KeyType::ec256;
  config.renewal_days = 1;  // make_store's certificates are not renewed during a run
  const std::string suffix = options.on_demand_suffix;
  config.on_demand.allow = [suffix](std::string_view name) { return has_suffix(name, suffix); };
  config.on_demand.wait = std::chrono::milliseconds(options.on_demand_wait_ms);
  config.log = [](acmecpp::LogLevel level, std::string_view message) {
    if (level >= acmecpp::LogLevel::warning) {
      std::cerr << acmecpp::to_string(level) << ": " << message << std::endl;
    }
  };
  return std::make_unique<acmecpp::CertManager>(std::move(config));
}

sigset_t handled_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  return signals;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse_options(argc, argv);
  const sigset_t signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread: only sigwait sees them
  signal(SIGPIPE, SIG_IGN);

  const auto start = Clock::now();
  acmecpp::TlsServerOptions tls;
  tls.alpn_protocols = {"h2", "http/1.1"};
  std::shared_ptr<acmecpp::CertificateCache> cache;
  std::unique_ptr<acmecpp::CertManager> manager;
  std::vector<std::unique_ptr<ResumeQueue>> queues;
  for (int i = 0; i < options.workers; ++i) queues.push_back(std::make_unique<ResumeQueue>());
  if (options.directory.empty()) {
    cache = std::make_shared<acmecpp::CertificateCache>();
    for (const auto& skipped :
         cache->load(acmecpp::AcmeJsonStore(options.store), options.resolver)) {
      std::cerr << "serve_bench: skipped " << skipped << std::endl;
    }
    tls.certificates = cache;
  } else {
    auto alpn = std::make_shared<acmecpp::TlsAlpn01Responder>();
    manager = make_manager(options, alpn);
    manager->start();  // reads the store into its cache before it returns
    tls.certificates = manager->certificates();
    tls.challenges = alpn;
    if (options.on_demand_async) {
      tls.on_unknown_name_async = [&manager](std::string_view name, std::function<void()> ready) {
        return manager->certificate_async(name, std::move(ready));
      };
      tls.on_handshake_ready = [&queues](SSL* ssl) {
        for (auto& queue : queues) queue->push(ssl);
      };
    } else {
      tls.on_unknown_name = [&manager](std::string_view name) {
        return manager->certificate_for(name);
      };
    }
  }
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_server_method()),
                                                            SSL_CTX_free);
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  acmecpp::install_tls_server(context.get(), tls);
  std::cout << "loaded " << tls.certificates->size() << " names in " << milliseconds_since(start)
            << " ms" << std::endl;

  const int listen_fd = listen_on(options);
  std::atomic<bool> stopping{false};
  std::vector<std::thread> workers;
  for (int i = 0; i < options.workers; ++i) {
    workers.emplace_back(worker, context.get(), listen_fd, std::ref(*queues[i]),
                         std::cref(stopping));
  }
  std::cout << "serving" << std::endl;

  std::unique_ptr<Swapper> swapper;
  if (cache && !options.swap_store.empty()) swapper = std::make_unique<Swapper>(options, *cache);
  for (;;) {
    int received = 0;
    sigwait(&signals, &received);
    if (received != SIGHUP) break;
    if (!swapper) continue;
    try {
      swapper->swap();
    } catch (const std::exception& e) {
      std::cerr << "serve_bench: swap failed: " << e.what() << std::endl;
    }
  }
  stopping = true;
  for (auto& thread : workers) thread.join();
  if (manager) manager->stop();
  close(listen_fd);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "serve_bench: " << e.what() << std::endl;
  return 1;
}
