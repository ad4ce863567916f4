// SPDX-License-Identifier: Apache-2.0
#pragma once
// What `acmectl --version` prints.

#include <string>

namespace acmectl {

/// "acmectl VERSION" (the line help2man reads), then one line per linked library with the
/// version it reports at run time ("OpenSSL 3.0.17", "libcurl 7.88.1", ...); no final newline.
std::string version_text();

}  // namespace acmectl
