// AcmeJsonStore: AcmeJsonDocument (the format) kept in a file shared by processes. Every call
// re-reads the file under the lock, so changes made by other processes are never lost.

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <utility>

#include "acmecpp/store.hpp"
#include "store/acme_json_document.hpp"
#include "store/atomic_file.hpp"
#include "store/file_lock.hpp"
#include "store/private_file.hpp"
#include "store/system_error.hpp"

namespace acmecpp {

using store::AcmeJsonDocument;
using store::FileLock;

struct AcmeJsonStore::Impl {
  std::string path;
  std::string lock_path;

  AcmeJsonDocument load() const {
    const std::optional<std::string> text = store::read_private_file(path);
    return AcmeJsonDocument(text ? std::string_view(*text) : std::string_view(), path);
  }

  template <typename Read>
  auto read(Read&& read_document) const {
    FileLock lock(lock_path, FileLock::Mode::shared);
    return read_document(load());
  }

  /// `change_document` returns whether it changed the document; only then is the file written.
  /// A file that does not load throws here, before anything is written.
  template <typename Change>
  bool change(Change&& change_document) {
    FileLock lock(lock_path, FileLock::Mode::exclusive);
    AcmeJsonDocument document = load();
    if (!change_document(document)) return false;
    store::replace_file_atomically(path, document.text());
    return true;
  }
};

AcmeJsonStore::AcmeJsonStore(std::string path) : impl_(std::make_unique<Impl>()) {
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
  impl_->change([&](AcmeJsonDocument& document) {
    document.set_account(resolver, account);
    return true;
  });
}

std::vector<CertificateRecord> AcmeJsonStore::certificates(const std::string& resolver) const {
  return impl_->read(
      [&](const AcmeJsonDocument& document) { return document.certificates(resolver); });
}

void AcmeJsonStore::save_certificate(const std::string& resolver, const CertificateRecord& cert) {
  impl_->change([&](AcmeJsonDocument& document) {
    document.set_certificate(resolver, cert);
    return true;
  });
}

bool AcmeJsonStore::remove_certificate(const std::string& resolver, const std::string& main) {
  return impl_->change(
      [&](AcmeJsonDocument& document) { return document.remove_certificate(resolver, main); });
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
    throw store::storage_error_from_errno("cannot create lock directory", dir);
  }
  auto lock = store::FileLock::try_exclusive(dir + "/" + lock_file_name(resolver, main), timeout);
  if (!lock) return nullptr;
  return std::make_unique<FileNameLock>(std::move(*lock));
}

}  // namespace acmecpp
