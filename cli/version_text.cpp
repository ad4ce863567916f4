// SPDX-License-Identifier: Apache-2.0
#include "version_text.hpp"

#include "acmecpp/linked_libraries.hpp"
#include "acmecpp/version.hpp"

namespace acmectl {

std::string version_text() {
  std::string text = "acmectl " + acmecpp::version();
  for (const auto& library : acmecpp::linked_libraries()) {
    text += "\n" + library.name + " " + library.version;
  }
  return text;
}

}  // namespace acmectl
