// SPDX-License-Identifier: Apache-2.0
// tls_load: the load generator of bench/serving.sh. h2load sends one SNI name per process (the
// URI's host), so it cannot spread 10,000 names over its connections; this program does, on
// plain OpenSSL: every connection is a new TCP connection and a full TLS 1.3 handshake (no
// session is ever offered) with an SNI name drawn at random from a file, and it checks that the
// certificate the server sent names that SNI (X509_check_host: a wrong certificate counts as a
// failure). It does not verify the chain: that would double the client's CPU per handshake on a
// machine where client and server share the cores, and choosing the certificate is what is
// measured. The handshake is timed from before connect() until SSL_connect() returns; then the
// connection is closed.
//
// Usage:
//   tls_load --connect HOST:PORT --names FILE --seconds S [--threads N] [--seed N]
//            [--flood-names FILE --flood-threads N] [--renewed-ca PEM]
//   tls_load --connect HOST:PORT --probe NAME [--timeout S]
//
// Load mode prints one line of key=value pairs: ok, failed (handshake errors or wrong
// certificate), per_second (ok / S), p50_ms, p99_ms; with --flood-names, handshakes with those
// names run alongside on their own threads and are counted apart (flood_ok, flood_failed: the
// server may refuse them, that is not a failure of the known names); with --renewed-ca, how many
// handshakes got a certificate that CA signed (renewed) and the last second an older one was
// seen (last_old_s).
// Probe mode retries a handshake for NAME every 5 ms until one succeeds with a certificate for
// NAME and prints done_ns (CLOCK_REALTIME of that success), attempts and last_ms (the time of
// the successful handshake itself); exit status 1 after the timeout.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <CLI/CLI.hpp>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string names_file;
  double seconds = 10;
  int threads = 2;
  unsigned seed = 1;
  std::string flood_file;
  int flood_threads = 0;
  std::string renewed_ca;
  std::string probe;
  double timeout = 30;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "tls_load: " << problem << "\n";
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options options;
  std::string connect;
  CLI::App app{"tls_load: new TLS 1.3 connections with SNI spread over a set of names"};
  app.add_option("--connect", connect, "HOST:PORT of the server")->required();
  app.add_option("--names", options.names_file, "file of SNI names, one a line");
  app.add_option("--seconds", options.seconds, "how long the load runs");
  app.add_option("--threads", options.threads, "client threads")->check(CLI::PositiveNumber);
  app.add_option("--seed", options.seed, "seed of the name choice");
  app.add_option("--flood-names", options.flood_file, "names for the flood threads");
  app.add_option("--flood-threads", options.flood_threads, "threads sending the flood names");
  app.add_option("--renewed-ca", options.renewed_ca, "PEM of the CA of renewed certificates");
  app.add_option("--probe", options.probe, "retry one name until it is served");
  app.add_option("--timeout", options.timeout, "seconds a probe tries");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::exit(app.exit(error));
  }
  const auto colon = connect.rfind(':');
  if (colon == std::string::npos) usage("--connect HOST:PORT");
  options.host = connect.substr(0, colon);
  options.port = std::atoi(connect.c_str() + colon + 1);
  if (options.port <= 0) usage("--connect HOST:PORT needs a port");
  if (options.probe.empty() && options.names_file.empty()) usage("--names or --probe");
  return options;
}

std::vector<std::string> read_names(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) names.push_back(line);
  }
  if (names.empty()) usage("no names in " + path);
  return names;
}

enum class Outcome { ok, failed };

struct Handshake {
  Outcome outcome = Outcome::failed;
  bool renewed = false;
  double milliseconds = 0;
};

// One new connection and one full handshake for `name`.
Handshake handshake(SSL_CTX* context, const sockaddr_in& address, const std::string& name,
                    EVP_PKEY* renewed_ca_key) {
  Handshake result;
  const auto start = Clock::now();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return result;
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  timeval limit{15, 0};  // longer than an on-demand issuance may hold a handshake
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    SSL* ssl = SSL_new(context);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, name.c_str());
    if (SSL_connect(ssl) == 1) {
      result.milliseconds = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      X509* leaf = SSL_get1_peer_certificate(ssl);
      if (leaf != nullptr && X509_check_host(leaf, name.c_str(), name.size(), 0, nullptr) == 1) {
        result.outcome = Outcome::ok;
        if (renewed_ca_key != nullptr) result.renewed = X509_verify(leaf, renewed_ca_key) == 1;
      }
      X509_free(leaf);
    }
    SSL_free(ssl);
  }
  ERR_clear_error();
  close(fd);
  return result;
}

std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> client_context() {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()),
                                                            SSL_CTX_free);
  SSL_CTX_set_min_proto_version(context.get(), TLS1_3_VERSION);
  SSL_CTX_set_session_cache_mode(context.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  return context;
}

sockaddr_in server_address(const Options& options) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(options.port));
  if (inet_pton(AF_INET, options.host.c_str(), &address.sin_addr) != 1) usage("bad host");
  return address;
}

EVP_PKEY* read_ca_key(const std::string& path) {
  if (path.empty()) return nullptr;
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) usage("cannot read " + path);
  X509* ca = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (ca == nullptr) usage("no certificate in " + path);
  EVP_PKEY* key = X509_get_pubkey(ca);
  X509_free(ca);
  return key;
}

struct Tally {
  std::vector<double> latencies;
  long failed = 0;
  long renewed = 0;
  double last_old = -1;  // seconds after the start when a certificate not renewed was last seen
};

int run_probe(const Options& options) {
  auto context = client_context();
  const sockaddr_in address = server_address(options);
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options.timeout));
  for (long attempts = 1; Clock::now() < deadline; ++attempts) {
    const Handshake result = handshake(context.get(), address, options.probe, nullptr);
    if (result.outcome == Outcome::ok) {
      const auto now = std::chrono::system_clock::now().time_since_epoch();
      std::printf("done_ns=%lld attempts=%ld last_ms=%.2f\n",
                  static_cast<long long>(std::chrono::nanoseconds(now).count()), attempts,
                  result.milliseconds);
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::printf("timeout\n");
  return 1;
}

double percentile(std::vector<double>& values, double fraction) {
  if (values.empty()) return 0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(index), values.end());
  return values[index];
}

int run_load(const Options& options) {
  auto context = client_context();
  const sockaddr_in address = server_address(options);
  const std::vector<std::string> names = read_names(options.names_file);
  const std::vector<std::string> flood =
      options.flood_file.empty() ? std::vector<std::string>{} : read_names(options.flood_file);
  EVP_PKEY* renewed_ca_key = read_ca_key(options.renewed_ca);
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.seconds));

  std::mutex merging;
  Tally known, flooding;
  auto run = [&](const std::vector<std::string>& pool, unsigned seed, Tally& total) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
    Tally mine;
    while (Clock::now() < end) {
      const Handshake result = handshake(context.get(), address, pool[pick(random)],
                                         &total == &known ? renewed_ca_key : nullptr);
      if (Clock::now() >= end) break;  // finished after the measured time: not counted
      if (result.outcome == Outcome::ok) {
        mine.latencies.push_back(result.milliseconds);
        if (result.renewed)
          ++mine.renewed;
        else
          mine.last_old = std::chrono::duration<double>(Clock::now() - start).count();
      } else {
        ++mine.failed;
      }
    }
    std::lock_guard<std::mutex> lock(merging);
    total.latencies.insert(total.latencies.end(), mine.latencies.begin(), mine.latencies.end());
    total.failed += mine.failed;
    total.renewed += mine.renewed;
    total.last_old = std::max(total.last_old, mine.last_old);
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < options.threads; ++i) {
    threads.emplace_back(run, std::cref(names), options.seed * 1000 + i, std::ref(known));
  }
  for (int i = 0; !flood.empty() && i < options.flood_threads; ++i) {
    threads.emplace_back(run, std::cref(flood), options.seed * 1000 + 500 + i, std::ref(flooding));
  }
  for (auto& thread : threads) thread.join();

  const double p50 = percentile(known.latencies, 0.50);
  const double p99 = percentile(known.latencies, 0.99);
  std::printf("ok=%zu failed=%ld per_second=%.1f p50_ms=%.2f p99_ms=%.2f", known.latencies.size(),
              known.failed, static_cast<double>(known.latencies.size()) / options.seconds, p50,
              p99);
  if (!flood.empty()) {
    std::printf(" flood_ok=%zu flood_failed=%ld", flooding.latencies.size(), flooding.failed);
  }
  if (renewed_ca_key != nullptr) {
    std::printf(" renewed=%ld last_old_s=%.2f", known.renewed, known.last_old);
    EVP_PKEY_free(renewed_ca_key);
  }
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  return options.probe.empty() ? run_load(options) : run_probe(options);
}
