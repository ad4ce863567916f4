// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The libraries acmecpp is linked with, and their versions as the libraries themselves report
/// them at run time: what an operator checks to see that a security fix of OpenSSL or libcurl
/// reached a program (a statically linked one needs a rebuild for that, a dynamically linked
/// one an update of the shared library).

#include <string>
#include <vector>

#include "acmecpp/api.hpp"

namespace acmecpp {

/// One linked library.
struct ACMECPP_API LinkedLibrary {
  std::string name;     ///< "OpenSSL", "libcurl", "nghttp2", "libidn2" or "ldns"
  std::string version;  ///< as the library reports it, e.g. "3.0.17"
};

/// OpenSSL, libcurl, nghttp2 (when libcurl was built with it), libidn2 and ldns, in this order,
/// each with the version the code running in this process reports (OpenSSL_version,
/// curl_version_info, idn2_check_version, ldns_version); not the headers it was compiled with.
ACMECPP_API std::vector<LinkedLibrary> linked_libraries();

}  // namespace acmecpp
