// SPDX-License-Identifier: Apache-2.0
// The names of certificate events, as embedding programs log them and hooks receive them.

#include "acmecpp/events.hpp"

namespace acmecpp {

std::string_view to_string(CertificateEventType type) {
  switch (type) {
    case CertificateEventType::issued:
      return "issued";
    case CertificateEventType::renewed:
      return "renewed";
    case CertificateEventType::failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace acmecpp
