// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// What a TLS server serves: certificates parsed once into OpenSSL objects, looked up by SNI name
/// from an immutable snapshot, and swapped atomically when one is issued or renewed, so that a
/// handshake never waits for the network, the disk, or a lock held across either.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>  // X509, EVP_PKEY: this API is TLS integration

#include "acmecpp/api.hpp"
#include "acmecpp/store.hpp"

namespace acmecpp {

/// One certificate ready for handshakes; immutable once made, shared by every handshake that
/// uses it (a handshake in flight keeps it alive after it was replaced).
struct ACMECPP_API ServingCertificate {
  std::vector<std::string> names;         ///< main name first, as in the store
  std::shared_ptr<X509> leaf;             ///< the end-entity certificate
  std::shared_ptr<EVP_PKEY> private_key;  ///< its key
  /// Intermediates, leaf's issuer first; an intermediate is parsed once and shared, read-only, by
  /// every ServingCertificate whose chain has it (a CA has few, a server may hold thousands).
  std::vector<std::shared_ptr<X509>> chain;
  std::chrono::system_clock::time_point not_after;
  std::string serial_hex;  ///< upper-case hex, for logs and tests

  /// Parses a stored certificate. Throws Error(invalid_input) naming the certificate's main name
  /// when its PEM chain or key cannot be read, or when the key does not match the leaf.
  static std::shared_ptr<const ServingCertificate> from_record(const CertificateRecord& record);
};

/// Name -> certificate, for SNI lookups. Thread-safe: find() reads an immutable snapshot through
/// an atomically loaded shared_ptr and takes no lock; writers build a new snapshot and swap it
/// in (writers are serialised among themselves).
class ACMECPP_API CertificateCache {
 public:
  CertificateCache();
  ~CertificateCache();
  CertificateCache(const CertificateCache&) = delete;
  CertificateCache& operator=(const CertificateCache&) = delete;

  /// The certificate for `server_name` (compared case-insensitively, a trailing dot ignored):
  /// a certificate naming it exactly, otherwise one naming the wildcard that covers it
  /// ("*.example.com" covers "a.example.com", not "example.com" nor "a.b.example.com");
  /// nullptr when none does.
  std::shared_ptr<const ServingCertificate> find(std::string_view server_name) const;

  /// Adds `certificate` under each of its names, replacing what those names pointed to.
  void put(std::shared_ptr<const ServingCertificate> certificate);
  /// Removes the names (a certificate stays reachable under its other names).
  void remove(const std::vector<std::string>& names);
  /// Replaces the whole content with the resolver's certificates in `store`. A certificate that
  /// cannot be parsed is skipped and its main name returned, so one bad entry does not stop a
  /// server from serving the others. The records are parsed on as many threads as there are
  /// cores (the calling one included), which is most of the time a large store takes.
  std::vector<std::string> load(const Store& store, const std::string& resolver);
  /// load() from records already read: the whole content becomes `records`.
  std::vector<std::string> replace(const std::vector<CertificateRecord>& records);
  /// Adds `records` (parsed as load() does) under their names, keeping everything else: what a
  /// node does with certificates another node stored. Returns the main names it skipped.
  std::vector<std::string> add(const std::vector<CertificateRecord>& records);

  /// Number of names that find() answers exactly.
  std::size_t size() const;

 private:
  struct Snapshot;
  /// replace() (keep_others false) and add() (true).
  std::vector<std::string> take(const std::vector<CertificateRecord>& records, bool keep_others);
  std::shared_ptr<const Snapshot> snapshot_;  // read and replaced with std::atomic_load/store
  struct WriterLock;
  std::unique_ptr<WriterLock> writer_lock_;
};

/// What an asynchronous lookup of an unknown name answers (TlsServerOptions::on_unknown_name_async,
/// CertManager::certificate_async).
struct ACMECPP_API UnknownNameAnswer {
  /// The certificate to serve now; nullptr when there is none (yet).
  std::shared_ptr<const ServingCertificate> certificate;
  /// True when there is no certificate yet but one is being obtained: the lookup then calls the
  /// `ready` function it was given exactly once, on another thread, when the certificate is in
  /// the cache or when its bounded wait is over (success, failure, timeout or stop alike).
  /// False: `ready` is never called.
  bool pending = false;
};

}  // namespace acmecpp
