#include "acmecpp/store.hpp"

namespace acmecpp {

std::vector<std::string> CertificateRecord::names() const {
  std::vector<std::string> all;
  all.reserve(1 + sans.size());
  all.push_back(main);
  all.insert(all.end(), sans.begin(), sans.end());
  return all;
}

}  // namespace acmecpp
