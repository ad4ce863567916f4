// SPDX-License-Identifier: Apache-2.0
// acmectl is linked the way the build chose (cmake/StaticAcmectl.cmake): statically against
// OpenSSL and libcurl, or against the shared libraries. A static acmectl that still loaded a
// shared libcrypto would hold two copies of OpenSSL in one process; a later change that links a
// shared library built on OpenSSL (cpp-httplib's is one) would do exactly that, and this test
// says so. ldd reads the real binary's dynamic section: nothing here is mocked.

#include <doctest/doctest.h>

#include <string>

#include "support/process.hpp"

using namespace acmecpp::testing;

namespace {

/// The shared objects ldd lists for acmectl, one line each.
std::string loaded_libraries() {
  const auto result = run_process({"ldd", ACMECPP_ACMECTL_PATH});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  return result.out;
}

bool loads(const std::string& libraries, const std::string& soname) {
  return libraries.find(soname) != std::string::npos;
}

}  // namespace

TEST_CASE("acmectl loads OpenSSL and libcurl as the build chose") {
  const auto libraries = loaded_libraries();
  INFO("ldd acmectl:\n" << libraries);
  CHECK(loads(libraries, "libc.so.6"));  // ldd really listed something
#if ACMECPP_ACMECTL_STATIC
  CHECK_FALSE(loads(libraries, "libcrypto.so"));
  CHECK_FALSE(loads(libraries, "libssl.so"));
  CHECK_FALSE(loads(libraries, "libcurl.so"));
  CHECK_FALSE(loads(libraries, "libstdc++.so"));
  CHECK_FALSE(loads(libraries, "libgnutls.so"));
#else
  CHECK(loads(libraries, "libcurl.so"));
  CHECK(loads(libraries, "libcrypto.so"));
#endif
}
