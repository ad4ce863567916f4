// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Part of the tools layer (lib/tools): acmectl's own code, never installed (see exec_hooks.hpp).
///
/// Writing a stored certificate out as files for servers that do not read acme.json (nginx,
/// Apache, HAProxy, Postfix, ...), and for Traefik's file provider, which reads certificates from
/// files named in a dynamic configuration file.

#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/store.hpp"

namespace acmecpp {

enum class ExportFormat {
  /// certbot's layout: DIR/NAME/cert.pem (leaf), chain.pem (the issuers), fullchain.pem (leaf
  /// and issuers), privkey.pem.
  pem,
  /// One file for HAProxy's "crt": DIR/NAME.pem holding the private key, then the full chain.
  haproxy,
  /// Traefik's file provider: the pem layout, plus DIR/traefik-tls.yml (kTraefikDynamicFile), a
  /// dynamic configuration listing every certificate's fullchain.pem and privkey.pem under
  /// tls.certificates; see write_traefik_dynamic_file().
  traefik,
};

/// The dynamic configuration file of ExportFormat::traefik, in the export directory.
inline constexpr const char* kTraefikDynamicFile = "traefik-tls.yml";

/// "pem", "haproxy" or "traefik" (case-insensitive); throws Error(invalid_input) naming the value.
ExportFormat parse_export_format(std::string_view text);
std::string_view to_string(ExportFormat format);

/// The files export_certificate() wrote; a path is empty when the format has no such file.
struct ExportedFiles {
  std::string certificate;  ///< pem: cert.pem; haproxy: the combined file
  std::string chain;        ///< pem: chain.pem; haproxy: empty
  std::string fullchain;    ///< pem: fullchain.pem; haproxy: the combined file
  std::string private_key;  ///< pem: privkey.pem; haproxy: the combined file

  /// Every distinct file written, in the order written.
  std::vector<std::string> paths() const;
};

/// The file-system name used for a certificate's main name: the name itself, with a wildcard's
/// "*" written as "_" ("*.example.com" -> "_.example.com"; "_" never occurs in a valid DNS name,
/// so this cannot collide). Throws Error(invalid_input) for a name that could escape the output
/// directory or is not a DNS name ("", "..", "a/b", ...).
std::string export_name(std::string_view main);

/// Writes `record` into `out_dir` (created when missing) in `format` (traefik: the pem files
/// only; the dynamic file lists the whole store, see write_traefik_dynamic_file()). Files holding
/// the private key get mode 0600, the others 0644. Each file is replaced atomically (temporary file
/// in the same directory, fsync, rename, directory fsync), so a reader sees the old or the new
/// file, never a partial one; a reader between two renames may still see a new certificate beside
/// the old key, so reload servers after this returns (see exec_hooks.hpp). Throws
/// Error(invalid_input) for a record without certificate or key, Error(storage) naming the file
/// that could not be written.
ExportedFiles export_certificate(const CertificateRecord& record, const std::string& out_dir,
                                 ExportFormat format);

/// The text of Traefik's dynamic configuration for certificates exported into `out_dir` as
/// `names` (export_name() of each main name, in this order, each listed once):
/// tls.certificates[] with certFile (DIR/NAME/fullchain.pem) and keyFile (DIR/NAME/privkey.pem).
/// `out_dir` is made absolute against the current directory: Traefik resolves a relative path
/// against its own working directory. Paths are YAML double-quoted strings.
std::string traefik_dynamic_configuration(const std::vector<std::string>& names,
                                          const std::string& out_dir);

/// Keeps Traefik's view of `out_dir` equal to `records` (all certificates of a store section):
/// exports each record whose pem files are missing there (one already exported is left as it
/// is, so that a concurrent export of a newer certificate is never replaced by an older one),
/// then rewrites DIR/kTraefikDynamicFile atomically, listing every record that has a certificate
/// and a key. The rewrite happens even when the list is unchanged: Traefik's file provider
/// reloads on the file's change event and reads the certificate files again then, so this is
/// what makes it serve a renewed certificate without a restart. Calls in one process are
/// serialised. Returns the dynamic file's path; throws as export_certificate().
std::string write_traefik_dynamic_file(const std::vector<CertificateRecord>& records,
                                       const std::string& out_dir);

}  // namespace acmecpp
