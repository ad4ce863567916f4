// SPDX-License-Identifier: Apache-2.0
#include "manager/chain_selection.hpp"

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "core/ascii.hpp"

namespace acmecpp::manager {

std::size_t select_chain(const std::vector<std::string>& chains_pem,
                         const std::string& preferred_issuer) {
  if (preferred_issuer.empty()) return 0;
  for (std::size_t i = 0; i < chains_pem.size(); ++i) {
    try {
      const auto chain = parse_certificate_chain(chains_pem[i]);
      if (!chain.empty() &&
          core::equal_ignoring_ascii_case(chain.back().issuer_common_name, preferred_issuer)) {
        return i;
      }
    } catch (const Error&) {
      // An alternate that does not parse cannot be the preferred one; keep looking.
    }
  }
  return 0;
}

}  // namespace acmecpp::manager
