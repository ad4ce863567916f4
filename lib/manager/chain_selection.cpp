#include "manager/chain_selection.hpp"

#include <strings.h>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"

namespace acmecpp::manager {

std::size_t select_chain(const std::vector<std::string>& chains_pem,
                         const std::string& preferred_issuer) {
  if (preferred_issuer.empty()) return 0;
  for (std::size_t i = 0; i < chains_pem.size(); ++i) {
    try {
      const auto chain = parse_certificate_chain(chains_pem[i]);
      if (!chain.empty() &&
          strcasecmp(chain.back().issuer_common_name.c_str(), preferred_issuer.c_str()) == 0) {
        return i;
      }
    } catch (const Error&) {
      // An alternate that does not parse cannot be the preferred one; keep looking.
    }
  }
  return 0;
}

}  // namespace acmecpp::manager
