// SPDX-License-Identifier: Apache-2.0
// export_certificate(): a stored certificate as files in certbot's or HAProxy's layout; the
// dynamic configuration file that points Traefik's file provider at them.

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <mutex>
#include <set>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "core/ascii.hpp"
#include "core/atomic_write.hpp"
#include "core/system_error.hpp"
#include "tools/file_export.hpp"

namespace acmecpp {
namespace {

// Durable, with hidden temporary files; the modes hold from the first byte, so a key is never
// readable by others, not even while it is being written.
constexpr core::AtomicWriteOptions kPublicFile{0644};
constexpr core::AtomicWriteOptions kSecretFile{0600};

struct PemParts {
  std::string leaf, issuers, key;
};

std::string with_final_newline(std::string text) {
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

PemParts split_record(const CertificateRecord& record) {
  if (record.certificate_pem.empty() || record.key_pem.empty()) {
    throw Error(ErrorKind::invalid_input,
                "certificate \"" + record.main + "\" has no certificate or no key to export");
  }
  const auto blocks = split_pem_chain(record.certificate_pem);
  PemParts parts;
  parts.leaf = blocks.front();
  for (std::size_t i = 1; i < blocks.size(); ++i) parts.issuers += blocks[i];
  parts.key = with_final_newline(record.key_pem);
  return parts;
}

bool allowed_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// Creates `directory` and its missing parents with mode 0750, which a umask can only make
// stricter; std::filesystem's 0777 less the umask left them writable by anyone under umask 000.
// Existing directories are left as they are.
void make_directory(const std::filesystem::path& directory) {
  constexpr mode_t kDirectoryMode = 0750;
  std::filesystem::path partial;
  for (const auto& part : directory) {
    partial /= part;
    if (::mkdir(partial.c_str(), kDirectoryMode) != 0 && errno != EEXIST) {
      throw core::storage_error_from_errno("cannot create directory", partial.string());
    }
  }
}

ExportedFiles write_pem_layout(const PemParts& parts, const std::filesystem::path& directory) {
  make_directory(directory);
  ExportedFiles files;
  files.certificate = (directory / "cert.pem").string();
  files.chain = (directory / "chain.pem").string();
  files.fullchain = (directory / "fullchain.pem").string();
  files.private_key = (directory / "privkey.pem").string();
  // The key first: a server reloaded in between then pairs the old certificate with the new key
  // at worst for the time of three renames, as with the reverse order.
  core::write_file_atomically(files.private_key, parts.key, kSecretFile);
  core::write_file_atomically(files.certificate, parts.leaf, kPublicFile);
  core::write_file_atomically(files.chain, parts.issuers, kPublicFile);
  core::write_file_atomically(files.fullchain, parts.leaf + parts.issuers, kPublicFile);
  return files;
}

ExportedFiles write_haproxy_file(const PemParts& parts, const std::filesystem::path& file) {
  make_directory(file.parent_path());
  core::write_file_atomically(file.string(), parts.key + parts.leaf + parts.issuers, kSecretFile);
  ExportedFiles files;
  files.certificate = files.fullchain = files.private_key = file.string();
  return files;
}

// A YAML double-quoted scalar: only '"', '\\' and control characters need escapes there.
std::string yaml_quoted(const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string quoted = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      quoted += "\\x";
      quoted += kHex[byte >> 4];
      quoted += kHex[byte & 0xf];
    } else {
      quoted += c;
    }
  }
  return quoted + '"';
}

bool exportable(const CertificateRecord& record) {
  if (record.certificate_pem.empty() || record.key_pem.empty()) return false;
  try {
    export_name(record.main);
    return true;
  } catch (const Error&) {
    return false;
  }
}

bool pem_files_present(const std::filesystem::path& directory) {
  std::error_code ignored;
  return std::filesystem::is_regular_file(directory / "fullchain.pem", ignored) &&
         std::filesystem::is_regular_file(directory / "privkey.pem", ignored);
}

}  // namespace

ExportFormat parse_export_format(std::string_view text) {
  const std::string lowered = core::ascii_lower(text);
  if (lowered == "pem") return ExportFormat::pem;
  if (lowered == "haproxy") return ExportFormat::haproxy;
  if (lowered == "traefik") return ExportFormat::traefik;
  throw Error(ErrorKind::invalid_input, "unknown export format \"" + std::string(text) +
                                            "\"; accepted: pem, haproxy, traefik");
}

std::string_view to_string(ExportFormat format) {
  switch (format) {
    case ExportFormat::haproxy:
      return "haproxy";
    case ExportFormat::traefik:
      return "traefik";
    case ExportFormat::pem:
      break;
  }
  return "pem";
}

std::vector<std::string> ExportedFiles::paths() const {
  std::vector<std::string> all;
  for (const auto* path : {&private_key, &certificate, &chain, &fullchain}) {
    if (!path->empty() && std::find(all.begin(), all.end(), *path) == all.end()) {
      all.push_back(*path);
    }
  }
  return all;
}

std::string export_name(std::string_view main) {
  std::string name(main);
  if (name.compare(0, 2, "*.") == 0) name[0] = '_';
  const bool safe = !name.empty() && name.front() != '.' && name.find("..") == std::string::npos &&
                    std::all_of(name.begin(), name.end(), allowed_name_char);
  if (!safe) {
    throw Error(ErrorKind::invalid_input,
                "certificate name \"" + std::string(main) + "\" cannot be used as a file name");
  }
  return name;
}

ExportedFiles export_certificate(const CertificateRecord& record, const std::string& out_dir,
                                 ExportFormat format) {
  const std::string name = export_name(record.main);
  const PemParts parts = split_record(record);
  const std::filesystem::path base(out_dir);
  if (format == ExportFormat::haproxy) return write_haproxy_file(parts, base / (name + ".pem"));
  return write_pem_layout(parts, base / name);
}

std::string traefik_dynamic_configuration(const std::vector<std::string>& names,
                                          const std::string& out_dir) {
  const auto base = std::filesystem::absolute(out_dir).lexically_normal();
  std::string text =
      "# Traefik dynamic configuration (file provider), written by acmectl: every certificate\n"
      "# of its store section. Rewritten whenever one changes; edits here are lost.\n"
      "tls:\n"
      "  certificates:";
  std::set<std::string> listed;
  for (const auto& name : names) {
    if (!listed.insert(name).second) continue;
    text += "\n    - certFile: " + yaml_quoted((base / name / "fullchain.pem").string()) +
            "\n      keyFile: " + yaml_quoted((base / name / "privkey.pem").string());
  }
  // An empty list is written as such: Traefik then serves no certificate from this file.
  return text + (listed.empty() ? " []\n" : "\n");
}

std::string write_traefik_dynamic_file(const std::vector<CertificateRecord>& records,
                                       const std::string& out_dir) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  const std::filesystem::path base(out_dir);
  make_directory(base);
  std::vector<std::string> names;
  for (const auto& record : records) {
    if (!exportable(record)) continue;
    const std::string name = export_name(record.main);
    if (!pem_files_present(base / name)) export_certificate(record, out_dir, ExportFormat::pem);
    names.push_back(name);
  }
  const std::string path = (base / kTraefikDynamicFile).string();
  core::write_file_atomically(path, traefik_dynamic_configuration(names, out_dir), kPublicFile);
  return path;
}

}  // namespace acmecpp
