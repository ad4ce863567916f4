// SPDX-License-Identifier: Apache-2.0
// AcmeJsonStore: AcmeJsonDocument (the format) kept in a file shared by processes. Every call
// looks at the file under the lock, so changes made by other processes are never lost; the parse
// is reused while the file's stamp (inode, size, times) is unchanged, because parsing a store of
// thousands of certificates costs far more than a stat().

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <ctime>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <utility>

#include "acmecpp/store.hpp"
#include "core/atomic_write.hpp"
#include "core/system_error.hpp"
#include "store/acme_json_document.hpp"
#include "store/atomic_file.hpp"
#include "store/file_lock.hpp"
#include "store/private_file.hpp"

namespace acmecpp {

using store::AcmeJsonDocument;
using store::FileLock;

/// True when the file was modified less than a second ago (or, by its clock, in the future).
bool modified_recently(const store::FileStamp& stamp) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return !stamp.exists || now.tv_sec - stamp.modified.tv_sec < 2;
}

/// A change to the document; returns whether it changed anything. Owns its arguments, since a
/// batched change is applied again when the file changed before the batch is written.
using Change = std::function<bool(AcmeJsonDocument&)>;

struct AcmeJsonStore::Impl {
  std::string path;
  std::string lock_path;
  AcmeJsonStoreOptions options;

  /// Guards everything below; the file lock is taken after it, so threads of this process
  /// queue here and processes at the lock file.
  mutable std::mutex mutex;
  /// The file as last read (and the batched changes applied to it), and its stamp then.
  mutable std::optional<AcmeJsonDocument> cached;
  mutable store::FileStamp cached_stamp;
  /// The file was modified so shortly before it was read that another in-place change within
  /// the same clock tick (file times are only as fine as the kernel's tick) would leave the
  /// stamp unchanged: such a parse is used once, not trusted later (git's "racy clean" rule).
  mutable bool cached_racy = false;
  /// Changes made inside a batch, not yet written.
  std::vector<Change> pending;
  int batch_depth = 0;
  std::size_t writes = 0;

  /// Under the file lock: the document the file holds now, with the pending changes applied.
  AcmeJsonDocument& current() const {
    if (cached && !cached_racy && store::stamp_file(path) == cached_stamp) return *cached;
    cached.reset();
    store::FileStamp stamp;
    const std::optional<std::string> text = store::read_private_file(path, &stamp);
    AcmeJsonDocument document(text ? std::string_view(*text) : std::string_view(), path);
    for (const auto& change : pending) change(document);
    cached = std::move(document);
    cached_stamp = stamp;
    cached_racy = modified_recently(stamp);
    return *cached;
  }

  template <typename Read>
  auto read(Read&& read_document) const {
    std::lock_guard<std::mutex> guard(mutex);
    FileLock lock(lock_path, FileLock::Mode::shared, options);
    return read_document(static_cast<const AcmeJsonDocument&>(current()));
  }

  /// Writes the current document (under the exclusive lock).
  void write(const AcmeJsonDocument& document) {
    store::replace_file_atomically(path, document.text());
    ++writes;
    // Written by us under the exclusive lock: what the file now holds is known.
    cached_stamp = store::stamp_file(path);
    cached_racy = false;
  }

  /// Applies `change`; outside a batch the file is written at once (only when something
  /// changed), inside one the change waits for commit(). A failure leaves the cache dropped, so
  /// the next use reads the file again. A file that does not load throws before anything is
  /// written.
  bool change(Change change_document) {
    std::lock_guard<std::mutex> guard(mutex);
    const bool batched = batch_depth > 0;
    FileLock lock(lock_path, batched ? FileLock::Mode::shared : FileLock::Mode::exclusive, options);
    try {
      AcmeJsonDocument& document = current();
      if (!change_document(document)) return false;
      if (batched) {
        pending.push_back(std::move(change_document));
      } else {
        write(document);
        pending.clear();  // outside a batch only deferred changes wait, and this wrote them
      }
      return true;
    } catch (...) {
      cached.reset();
      throw;
    }
  }

  /// Applies `change` to the document and keeps it for the next write, whichever writes next
  /// (a change, a batch's commit or a flush): nothing is written for it alone.
  void defer(Change change_document) {
    std::lock_guard<std::mutex> guard(mutex);
    FileLock lock(lock_path, FileLock::Mode::shared, options);
    try {
      if (change_document(current())) pending.push_back(std::move(change_document));
    } catch (...) {
      cached.reset();
      throw;
    }
  }

  void commit() {
    std::lock_guard<std::mutex> guard(mutex);
    if (batch_depth > 0 && --batch_depth > 0) return;
    write_pending();
  }

  void flush() {
    std::lock_guard<std::mutex> guard(mutex);
    write_pending();
  }

  /// Under `mutex`: one locked read-modify-write for every pending change.
  void write_pending() {
    if (pending.empty()) return;
    FileLock lock(lock_path, FileLock::Mode::exclusive, options);
    try {
      write(current());  // re-read first if another process wrote meanwhile
      pending.clear();
    } catch (...) {
      cached.reset();
      throw;
    }
  }
};

AcmeJsonStore::AcmeJsonStore(std::string path)
    : AcmeJsonStore(std::move(path), AcmeJsonStoreOptions{}) {}

AcmeJsonStore::AcmeJsonStore(std::string path, AcmeJsonStoreOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->lock_path = path + ".lock";
  impl_->path = std::move(path);
  // Loading once here reports a bad file when the store is opened, not at first use.
  impl_->read([](const AcmeJsonDocument&) { return true; });
}

AcmeJsonStore::~AcmeJsonStore() = default;

const std::string& AcmeJsonStore::path() const {
  return impl_->path;
}

std::vector<std::string> AcmeJsonStore::resolvers() const {
  return impl_->read([](const AcmeJsonDocument& document) { return document.resolvers(); });
}

std::optional<AccountRecord> AcmeJsonStore::load_account(const std::string& resolver) const {
  return impl_->read([&](const AcmeJsonDocument& document) { return document.account(resolver); });
}

void AcmeJsonStore::save_account(const std::string& resolver, const AccountRecord& account) {
  impl_->change([resolver, account](AcmeJsonDocument& document) {
    document.set_account(resolver, account);
    return true;
  });
}

std::vector<CertificateRecord> AcmeJsonStore::certificates(const std::string& resolver) const {
  return impl_->read(
      [&](const AcmeJsonDocument& document) { return document.certificates(resolver); });
}

std::vector<CertificateRecord> AcmeJsonStore::certificates_named(const std::string& resolver,
                                                                 const std::string& main) const {
  return impl_->read([&](const AcmeJsonDocument& document) {
    return document.certificates_named(resolver, main);
  });
}

void AcmeJsonStore::save_certificate(const std::string& resolver, const CertificateRecord& cert) {
  impl_->change([resolver, cert](AcmeJsonDocument& document) {
    document.set_certificate(resolver, cert);
    return true;
  });
}

bool AcmeJsonStore::remove_certificate(const std::string& resolver, const std::string& main) {
  return impl_->change([resolver, main](AcmeJsonDocument& document) {
    return document.remove_certificate(resolver, main);
  });
}

std::optional<PendingOrder> AcmeJsonStore::load_pending_order(const std::string& resolver,
                                                              const std::string& main) const {
  return impl_->read(
      [&](const AcmeJsonDocument& document) { return document.pending_order(resolver, main); });
}

void AcmeJsonStore::save_pending_order(const std::string& resolver, const PendingOrder& order) {
  Store::save_pending_order(resolver, order);  // refuses an order without names
  impl_->change([resolver, order](AcmeJsonDocument& document) {
    document.set_pending_order(resolver, order);
    return true;
  });
}

bool AcmeJsonStore::remove_pending_order(const std::string& resolver, const std::string& main) {
  return impl_->change([resolver, main](AcmeJsonDocument& document) {
    return document.remove_pending_order(resolver, main);
  });
}

std::string AcmeJsonStore::load_server(const std::string& resolver) const {
  return impl_->read([&](const AcmeJsonDocument& document) { return document.server(resolver); });
}

void AcmeJsonStore::save_server(const std::string& resolver, const std::string& url) {
  // Kept for the next write: a command whose first order fails creates no file for this alone.
  impl_->defer([resolver, url](AcmeJsonDocument& document) {
    document.set_server(resolver, url);
    return true;
  });
}

void AcmeJsonStore::begin_batch() {
  std::lock_guard<std::mutex> guard(impl_->mutex);
  ++impl_->batch_depth;
}

void AcmeJsonStore::commit_batch() {
  impl_->commit();
}

void AcmeJsonStore::flush_batch() {
  impl_->flush();
}

std::size_t AcmeJsonStore::files_written() const {
  std::lock_guard<std::mutex> guard(impl_->mutex);
  return impl_->writes;
}

std::optional<std::string> AcmeJsonStore::load_cached(const std::string& key) const {
  check_cache_key(key);
  std::ifstream in(impl_->path + "." + key, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return std::nullopt;
  return text.str();
}

void AcmeJsonStore::save_cached(const std::string& key, const std::string& value) noexcept {
  try {
    check_cache_key(key);
    // Cached values are public information (the CA's directory), readable like any cache. Not
    // durable: after a power loss the file may be empty or partial, which its reader takes
    // for no entry, while two fsyncs on every save would slow each short-lived process.
    core::write_file_atomically(impl_->path + "." + key, value,
                                {0644, core::TempFileName::hidden, /*durable=*/false});
  } catch (...) {
    // Error(storage), an invalid key or out of memory: the cache is just not written this time.
  }
}

}  // namespace acmecpp

namespace acmecpp {
namespace {

/// A lock file name that cannot escape the locks directory: letters, digits, '.', '-' kept,
/// everything else (a wildcard's '*', a '/') as '_' followed by its hex code.
std::string lock_file_name(const std::string& resolver, const std::string& main) {
  std::string name;
  for (const char c : resolver + "--" + main) {
    const bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    if (plain) {
      name += c;
    } else {
      static const char* hex = "0123456789abcdef";
      name += '_';
      name += hex[(static_cast<unsigned char>(c) >> 4) & 0xf];
      name += hex[static_cast<unsigned char>(c) & 0xf];
    }
  }
  return name + ".lock";
}

class FileNameLock : public NameLock {
 public:
  explicit FileNameLock(store::FileLock lock) : lock_(std::move(lock)) {}

 private:
  store::FileLock lock_;
};

}  // namespace

std::unique_ptr<NameLock> AcmeJsonStore::lock_name(const std::string& resolver,
                                                   const std::string& main,
                                                   std::chrono::milliseconds timeout) {
  const std::string dir = impl_->path + ".locks";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw core::storage_error_from_errno("cannot create lock directory", dir);
  }
  auto lock = store::FileLock::try_exclusive(dir + "/" + lock_file_name(resolver, main), timeout);
  if (!lock) return nullptr;
  return std::make_unique<FileNameLock>(std::move(*lock));
}

}  // namespace acmecpp
