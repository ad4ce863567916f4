// SPDX-License-Identifier: Apache-2.0
// The RFC 2136 DnsProvider: each present()/cleanup() is one signed UPDATE adding or deleting
// exactly one TXT record at the configured primary.

#include <memory>

#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"
#include "challenge/dns01/dns_reply.hpp"
#include "challenge/dns01/providers/rfc2136_update.hpp"
#include "challenge/dns01/server_address.hpp"
#include "core/base64.hpp"

namespace acmecpp {
namespace {

using dns01::TxtChange;

constexpr int kAttempts = 2;  // UDP sends per exchange: one lost datagram is not a failure

std::optional<dns01::TsigKey> tsig_key(const Rfc2136Options& options) {
  const bool has_name = !options.tsig_key_name.empty();
  const bool has_secret = !options.tsig_secret.empty();
  if (!has_name && !has_secret) return std::nullopt;
  if (has_name != has_secret) {
    throw Error(ErrorKind::config,
                "rfc2136: give both the TSIG key name and its secret, or neither");
  }
  try {
    core::base64_decode(options.tsig_secret);
  } catch (const Error&) {
    // The decoder's message may quote the input: this one must not.
    throw Error(ErrorKind::config,
                "rfc2136: the secret of TSIG key " + options.tsig_key_name + " is not base64");
  }
  return dns01::TsigKey{dns01::canonical_name(options.tsig_key_name),
                        dns01::tsig_algorithm_name(options.tsig_algorithm), options.tsig_secret};
}

class Rfc2136Provider : public DnsProvider {
 public:
  explicit Rfc2136Provider(const Rfc2136Options& options)
      : server_(dns01::parse_server_address(options.nameserver, "rfc2136 nameserver")),
        key_(tsig_key(options)),
        ttl_(options.ttl),
        timing_{options.timeout, kAttempts} {
    if (options.zone) zone_ = dns01::canonical_name(*options.zone);
    if (options.ttl.count() < 0) throw Error(ErrorKind::config, "rfc2136: negative TTL");
  }

  std::string name() const override { return "rfc2136"; }

  void present(const std::string& fqdn, const std::string& value) override {
    update(TxtChange{TxtChange::Action::add, fqdn, value, ttl_});
  }

  void cleanup(const std::string& fqdn, const std::string& value) override {
    update(TxtChange{TxtChange::Action::remove, fqdn, value, ttl_});
  }

 private:
  void update(const TxtChange& change) const {
    // Resolved at each use: a primary given by name may move.
    const dns01::ServerAddress server = dns01::with_ip_address(server_);
    const std::string zone = zone_ ? *zone_ : dns01::zone_at_server(server, change.fqdn, timing_);
    dns01::send_txt_update(server, zone, change, key_, timing_);
  }

  dns01::ServerAddress server_;
  std::optional<dns01::TsigKey> key_;
  std::optional<std::string> zone_;
  std::chrono::seconds ttl_;
  dns01::QueryTiming timing_;
};

}  // namespace

std::shared_ptr<DnsProvider> make_rfc2136_provider(Rfc2136Options options) {
  return std::make_shared<Rfc2136Provider>(options);
}

}  // namespace acmecpp
