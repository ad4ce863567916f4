// SPDX-License-Identifier: Apache-2.0
#include "crypto/issued_chain.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>

#include <openssl/err.h>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/printable.hpp"
#include "core/ip_address.hpp"
#include "crypto/certificate_fields.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp::crypto {
namespace {

constexpr std::string_view kBeginCertificate = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEndCertificate = "-----END CERTIFICATE-----";

[[noreturn]] void refuse(const std::string& what) {
  throw Error(ErrorKind::protocol, what);
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

/// The start of some junk for a message: its first line, at most 40 bytes. No more, since the
/// junk might be a private key's PEM.
std::string first_line(std::string_view text) {
  return printable_text(text.substr(0, text.find_first_of("\r\n")), 40);
}

/// Refuses text outside the CERTIFICATE blocks other than whitespace.
void require_certificates_only(std::string_view pem) {
  std::size_t at = 0;
  for (;;) {
    const std::size_t begin = pem.find(kBeginCertificate, at);
    const std::string_view gap =
        pem.substr(at, begin == std::string_view::npos ? pem.npos : begin - at);
    if (!is_blank(gap)) {
      std::size_t junk = 0;
      while (std::isspace(static_cast<unsigned char>(gap[junk]))) ++junk;
      refuse(
          "the certificate chain the CA returned has text outside its PEM certificate blocks "
          "at byte " +
          std::to_string(at + junk) + " (\"" + first_line(gap.substr(junk)) +
          "\"): RFC 8555 section 9.1 allows certificates only");
    }
    if (begin == std::string_view::npos) return;
    const std::size_t end = pem.find(kEndCertificate, begin);
    if (end == std::string_view::npos) return;  // split_pem_chain names the unterminated block
    at = end + kEndCertificate.size();
  }
}

X509Ptr decode_certificate(const std::string& pem_block, std::size_t index) {
  const std::string what = "certificate #" + std::to_string(index + 1) + " does not decode";
  const std::string der = certificate_der_of_pem_block(pem_block, what);
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr certificate(d2i_X509(nullptr, &bytes, static_cast<long>(der.size())));
  if (!certificate) throw_openssl_error(what);
  return certificate;
}

/// The chain's PEM blocks, leaf first, and each decoded.
struct DecodedChain {
  std::vector<std::string> pem_blocks;
  std::vector<X509Ptr> certificates;
};

DecodedChain decode_chain(std::string_view chain_pem) {
  require_certificates_only(chain_pem);
  DecodedChain chain;
  try {
    chain.pem_blocks = split_pem_chain(chain_pem);
    for (std::size_t i = 0; i < chain.pem_blocks.size(); ++i) {
      chain.certificates.push_back(decode_certificate(chain.pem_blocks[i], i));
    }
  } catch (const Error& e) {
    refuse(std::string("the certificate chain the CA returned is malformed: ") + e.what());
  }
  return chain;
}

void require_key(X509* leaf, const PrivateKey& key) {
  const EVP_PKEY* public_key = X509_get0_pubkey(leaf);
  if (public_key == nullptr || EVP_PKEY_eq(public_key, key.native()) != 1) {
    refuse(
        "the certificate the CA returned is for another key (not the one its certificate "
        "signing request was made with)");
  }
}

std::string lower_ascii(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string joined(const std::set<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + printable_text(name, 256);
  return text;
}

/// Adds to `missing` what `ordered` has and `listed` lacks, and to `extra` the reverse.
void compare(const std::set<std::string>& ordered, const std::set<std::string>& listed,
             std::set<std::string>& missing, std::set<std::string>& extra) {
  std::set_difference(ordered.begin(), ordered.end(), listed.begin(), listed.end(),
                      std::inserter(missing, missing.end()));
  std::set_difference(listed.begin(), listed.end(), ordered.begin(), ordered.end(),
                      std::inserter(extra, extra.end()));
}

/// The certificate's names against the order's: DNS names against its dNSName entries
/// (case-insensitively), IP addresses against its iPAddress entries (as canonical text, the form
/// both sides are in); an IP address in a dNSName entry covers nothing.
void require_names(const std::string& leaf_pem, const std::vector<std::string>& names) {
  const CertificateInfo info = parse_certificate(leaf_pem);
  std::set<std::string> ordered_dns, ordered_ips, listed_dns;
  for (const auto& name : names) {
    if (const auto ip = core::canonical_ip_address(name)) {
      ordered_ips.insert(*ip);
    } else {
      ordered_dns.insert(lower_ascii(name));
    }
  }
  for (const auto& name : info.dns_names) listed_dns.insert(lower_ascii(name));
  const std::set<std::string> listed_ips(info.ip_addresses.begin(), info.ip_addresses.end());
  std::set<std::string> missing, extra;
  compare(ordered_dns, listed_dns, missing, extra);
  compare(ordered_ips, listed_ips, missing, extra);
  if (missing.empty() && extra.empty()) return;
  std::string what = "the certificate the CA returned does not match the order: names ";
  if (!missing.empty()) what += joined(missing) + " not covered";
  if (!missing.empty() && !extra.empty()) what += ", ";
  if (!extra.empty()) what += joined(extra) + " not ordered";
  refuse(what);
}

void require_chain(const std::vector<X509Ptr>& chain) {
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
    X509* child = chain[i].get();
    X509* parent = chain[i + 1].get();
    const std::string child_name = "certificate #" + std::to_string(i + 1);
    const std::string parent_name = "certificate #" + std::to_string(i + 2);
    if (X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(parent)) != 0) {
      refuse("the certificate chain the CA returned is broken: " + child_name +
             " was issued by \"" +
             printable_text(one_line_rfc2253(X509_get_issuer_name(child)), 256) + "\", but " +
             parent_name + " is \"" +
             printable_text(one_line_rfc2253(X509_get_subject_name(parent)), 256) + "\"");
    }
    EVP_PKEY* parent_key = X509_get0_pubkey(parent);
    if (parent_key == nullptr || X509_verify(child, parent_key) != 1) {
      ERR_clear_error();
      refuse("the certificate chain the CA returned is broken: the signature of " + child_name +
             " does not verify with the key of " + parent_name);
    }
  }
}

}  // namespace

void check_issued_chain(std::string_view chain_pem, const PrivateKey& key,
                        const std::vector<std::string>& names) {
  const DecodedChain chain = decode_chain(chain_pem);
  require_key(chain.certificates.front().get(), key);
  require_names(chain.pem_blocks.front(), names);
  require_chain(chain.certificates);
}

}  // namespace acmecpp::crypto
