// SPDX-License-Identifier: Apache-2.0
// export_certificate() on a locally made CA + leaf: layout, modes, content, openssl verify, and
// names that must not become paths.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "crypto/self_signed.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "tools/file_export.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

struct LocalChain {
  std::string root_pem;
  CertificateRecord record;
};

/// root -> intermediate -> leaf, the record holding leaf + intermediate as a CA sends it.
LocalChain make_chain(const std::string& main, const std::vector<std::string>& names) {
  const auto now = std::chrono::system_clock::now();
  const auto later = now + std::chrono::hours(24 * 30);
  const auto root_key = PrivateKey::generate(KeyType::ec256);
  const auto intermediate_key = PrivateKey::generate(KeyType::ec256);
  const auto leaf_key = PrivateKey::generate(KeyType::ec256);
  crypto::CertificateOptions root;
  root.common_name = "Export Test Root";
  root.not_before = now - std::chrono::hours(1);
  root.not_after = later;
  const std::string root_pem = crypto::make_certificate_pem(root_key, root);
  crypto::CertificateOptions intermediate = root;
  intermediate.common_name = "Export Test Intermediate";
  intermediate.issuer_key = &root_key;
  intermediate.issuer_certificate_pem = root_pem;
  intermediate.is_ca = true;
  const std::string intermediate_pem = crypto::make_certificate_pem(intermediate_key, intermediate);
  crypto::CertificateOptions leaf;
  leaf.dns_names = names;
  leaf.not_before = root.not_before;
  leaf.not_after = later;
  leaf.issuer_key = &intermediate_key;
  leaf.issuer_certificate_pem = intermediate_pem;
  LocalChain chain{root_pem, {}};
  chain.record.main = main;
  chain.record.certificate_pem = crypto::make_certificate_pem(leaf_key, leaf) + intermediate_pem;
  chain.record.key_pem = leaf_key.to_pem();
  return chain;
}

mode_t file_mode(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

int openssl_verify(const TempDir& dir, const std::string& root_pem, const std::string& untrusted,
                   const std::string& certificate) {
  write_text_file(dir / "root.pem", root_pem);
  const auto result = run_process({"openssl", "verify", "-CAfile", (dir / "root.pem").string(),
                                   "-untrusted", untrusted, certificate});
  INFO(result.out << result.err);
  return result.exit_code;
}

}  // namespace

TEST_CASE("pem export: certbot's four files, the key 0600, the rest 0644, a verifiable chain") {
  TempDir dir;
  const auto chain = make_chain("*.example.test", {"*.example.test", "example.test"});
  const std::string out = (dir / "live").string();
  const auto files = export_certificate(chain.record, out, ExportFormat::pem);
  CHECK(files.certificate == out + "/_.example.test/cert.pem");
  CHECK(files.chain == out + "/_.example.test/chain.pem");
  CHECK(files.fullchain == out + "/_.example.test/fullchain.pem");
  CHECK(files.private_key == out + "/_.example.test/privkey.pem");
  CHECK(files.paths() == std::vector<std::string>{files.private_key, files.certificate, files.chain,
                                                  files.fullchain});
  CHECK(file_mode(files.private_key) == 0600);
  CHECK(file_mode(files.certificate) == 0644);
  CHECK(file_mode(files.chain) == 0644);
  CHECK(file_mode(files.fullchain) == 0644);
  const auto blocks = split_pem_chain(chain.record.certificate_pem);
  CHECK(read_text_file(files.certificate) == blocks[0]);
  CHECK(read_text_file(files.chain) == blocks[1]);
  CHECK(read_text_file(files.fullchain) == chain.record.certificate_pem);
  CHECK(read_text_file(files.private_key) == chain.record.key_pem);
  CHECK(openssl_verify(dir, chain.root_pem, files.chain, files.certificate) == 0);
  // No temporary file is left behind.
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out + "/_.example.test")) {
    (void)entry;
    ++entries;
  }
  CHECK(entries == 4);
}

TEST_CASE("exporting again replaces the files, whatever the umask or old modes") {
  TempDir dir;
  const auto first = make_chain("again.example.test", {"again.example.test"});
  const auto second = make_chain("again.example.test", {"again.example.test"});
  const std::string out = (dir / "out").string();
  const auto files = export_certificate(first.record, out, ExportFormat::pem);
  ::chmod(files.private_key.c_str(), 0644);  // an operator's mistake is corrected
  const mode_t old_umask = ::umask(0077);
  export_certificate(second.record, out, ExportFormat::pem);
  ::umask(old_umask);
  CHECK(read_text_file(files.fullchain) == second.record.certificate_pem);
  CHECK(read_text_file(files.private_key) == second.record.key_pem);
  CHECK(file_mode(files.private_key) == 0600);
  CHECK(file_mode(files.certificate) == 0644);
}

TEST_CASE("haproxy export: one 0600 file, key then full chain") {
  TempDir dir;
  const auto chain = make_chain("haproxy.example.test", {"haproxy.example.test"});
  const auto files = export_certificate(chain.record, dir.path().string(), ExportFormat::haproxy);
  const std::string expected = (dir / "haproxy.example.test.pem").string();
  CHECK(files.paths() == std::vector<std::string>{expected});
  CHECK(files.certificate == expected);
  CHECK(files.fullchain == expected);
  CHECK(files.private_key == expected);
  CHECK(files.chain.empty());
  CHECK(file_mode(expected) == 0600);
  CHECK(read_text_file(expected) == chain.record.key_pem + chain.record.certificate_pem);
  CHECK(openssl_verify(dir, chain.root_pem, expected, expected) == 0);
}

TEST_CASE("names that could leave the output directory are refused") {
  CHECK(export_name("example.test") == "example.test");
  CHECK(export_name("*.example.test") == "_.example.test");
  for (const char* name :
       {"", ".", "..", "../etc", "a/b", "/abs", ".hidden", "a..b", "a b", "*", "x.*.test"}) {
    INFO(name);
    CHECK_THROWS_AS(export_name(name), Error);
  }
  CertificateRecord empty;
  empty.main = "empty.example.test";
  TempDir dir;
  CHECK_THROWS_WITH_AS(export_certificate(empty, dir.path().string(), ExportFormat::pem),
                       doctest::Contains("no certificate or no key"), Error);
}

TEST_CASE("export formats by name") {
  CHECK(parse_export_format("pem") == ExportFormat::pem);
  CHECK(parse_export_format("HAProxy") == ExportFormat::haproxy);
  CHECK(to_string(ExportFormat::haproxy) == "haproxy");
  CHECK_THROWS_WITH_AS(parse_export_format("pkcs12"), doctest::Contains("\"pkcs12\""), Error);
}

TEST_CASE("export directories are created 0750 even under umask 000, existing ones are kept") {
  TempDir dir;
  const auto chain = make_chain("umask.example.test", {"umask.example.test"});
  const std::string out = (dir / "new" / "live").string();
  const mode_t old_umask = ::umask(0);
  const auto files = export_certificate(chain.record, out, ExportFormat::pem);
  ::umask(old_umask);
  CHECK(file_mode((dir / "new").string()) == 0750);
  CHECK(file_mode(out) == 0750);
  CHECK(file_mode(out + "/umask.example.test") == 0750);
  CHECK(file_mode(files.private_key) == 0600);

  // A directory the operator made is not changed.
  ::chmod(out.c_str(), 0755);
  export_certificate(chain.record, out, ExportFormat::haproxy);
  CHECK(file_mode(out) == 0755);
}
