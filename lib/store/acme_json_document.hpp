// SPDX-License-Identifier: Apache-2.0
#pragma once
// The content of one acme.json in memory: resolvers, their account and certificates.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "acmecpp/store.hpp"
#include "store/acme_json_text.hpp"

namespace acmecpp::store {

/// acme.json as Traefik writes it:
///   { "<resolver>": { "Account": {...} | null, "Certificates": [ {...}, ... ] | null }, ... }
/// Only the resolver a change names is touched, and within it only the known fields of the
/// account or of the one certificate entry concerned; everything else stays as parsed.
class AcmeJsonDocument {
 public:
  /// Parses `text` (empty: no resolvers) and checks the layout above. `path` is used in error
  /// messages. Throws Error(storage) saying where the text or the layout is wrong.
  AcmeJsonDocument(std::string_view text, std::string path);

  std::vector<std::string> resolvers() const;
  std::optional<AccountRecord> account(const std::string& resolver) const;
  /// Skips entries without certificate or key, as Traefik does when it loads the file.
  std::vector<CertificateRecord> certificates(const std::string& resolver) const;
  /// The entries certificates() would return whose main name equals `main` ignoring case, in
  /// file order, found through an index (built on first use) instead of reading every entry.
  std::vector<CertificateRecord> certificates_named(const std::string& resolver,
                                                    std::string_view main) const;

  /// Creates the resolver when needed.
  void set_account(const std::string& resolver, const AccountRecord& account);
  /// Replaces the first entry whose main name equals cert.main ignoring case, else appends.
  /// Throws Error(invalid_input) when cert.main is empty.
  void set_certificate(const std::string& resolver, const CertificateRecord& cert);
  /// Removes every entry with this main name (ignoring case); false when there was none.
  bool remove_certificate(const std::string& resolver, std::string_view main);

  /// The order kept in the resolver's "acmecpp"."orders" whose first name equals `main`
  /// ignoring case. Throws Error(storage) when the member is malformed.
  std::optional<PendingOrder> pending_order(const std::string& resolver,
                                            std::string_view main) const;
  /// Replaces the kept order of the same main name, else appends (creating the resolver).
  void set_pending_order(const std::string& resolver, const PendingOrder& order);
  /// Removes the orders kept for `main`; false when there was none. An emptied "orders" (and
  /// "acmecpp" member) is removed, so the resolver looks as Traefik writes it again.
  bool remove_pending_order(const std::string& resolver, std::string_view main);

  /// The ACME directory URL kept in the resolver's "acmecpp"."server" ("" when none is kept).
  /// Throws Error(storage) when it is not a string.
  std::string server(const std::string& resolver) const;
  /// Keeps `url` as the resolver's "acmecpp"."server" (creating the resolver).
  void set_server(const std::string& resolver, const std::string& url);

  /// The document in Traefik's layout (see serialize_acme_json).
  std::string text() const;

 private:
  const Json* resolver_object(const std::string& resolver) const;
  Json& resolver_object_for_update(const std::string& resolver);
  Json& certificates_for_update(const std::string& resolver);
  std::string place(const std::string& resolver) const;
  std::string entry_place(const std::string& resolver, std::size_t index, const Json& entry) const;
  void check_layout() const;
  /// The resolver's "acmecpp"."orders" array, or nullptr when there is none.
  const Json* orders(const std::string& resolver) const;
  /// Positions in the resolver's "Certificates" of the entries with this main name (lower
  /// case); empty when there are none.
  const std::vector<std::size_t>& entries_named(const std::string& resolver,
                                                std::string_view main) const;
  std::optional<CertificateRecord> readable_entry(const std::string& resolver,
                                                  std::size_t index) const;

  std::string path_;
  Json root_;
  /// Per resolver: lower-case main name -> positions. Built lazily, dropped by every change
  /// that could move entries (a replacement in place keeps it, an append extends it).
  using NameIndex = std::unordered_map<std::string, std::vector<std::size_t>>;
  mutable std::map<std::string, NameIndex> name_index_;
};

}  // namespace acmecpp::store
