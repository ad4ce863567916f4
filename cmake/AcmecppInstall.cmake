# SPDX-License-Identifier: Apache-2.0
# What `cmake --install` puts under the prefix: the public headers, the library, acmectl, a CMake
# package (find_package(acmecpp CONFIG) -> acmecpp::acmecpp) and acmecpp.pc for pkg-config.
# Included from the top-level CMakeLists.txt once the acmecpp and acmectl targets exist.

include(CMakePackageConfigHelpers)

get_target_property(ACMECPP_LIBRARY_TYPE acmecpp TYPE)
if(ACMECPP_LIBRARY_TYPE STREQUAL "STATIC_LIBRARY")
  set(ACMECPP_INSTALLED_STATIC ON)
else()
  set(ACMECPP_INSTALLED_STATIC OFF)
endif()

# The SONAME carries the major version only: minor releases stay ABI-compatible, which
# tests/unit/test_exported_symbols.cpp checks against the baseline in tests/abi/ (docs/PACKAGING.md).
# (The objects are compiled as position-independent code: see acmecpp_objects.)
set_target_properties(acmecpp PROPERTIES
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  EXPORT_NAME acmecpp)

# A library built with ASan/UBSan calls into the sanitizer runtimes, so whoever links it must link
# them too; without this, an uninstrumented consumer fails to link (undefined __asan_* symbols).
# acmecpp.pc says the same in its Libs.
set(ACMECPP_PC_LIBS "-L\${libdir} -lacmecpp")
if(ACMECPP_SANITIZE)
  target_link_options(acmecpp INTERFACE -fsanitize=address,undefined)
  string(APPEND ACMECPP_PC_LIBS " -fsanitize=address,undefined")
endif()

# acmectl linked to a shared libacmecpp installed beside it finds it without LD_LIBRARY_PATH,
# wherever the prefix is moved; a packager can still override CMAKE_INSTALL_RPATH.
if(NOT ACMECPP_INSTALLED_STATIC AND NOT DEFINED CMAKE_INSTALL_RPATH)
  file(RELATIVE_PATH ACMECPP_BIN_TO_LIB "/${CMAKE_INSTALL_BINDIR}" "/${CMAKE_INSTALL_LIBDIR}")
  set_target_properties(acmectl PROPERTIES INSTALL_RPATH "$ORIGIN/${ACMECPP_BIN_TO_LIB}")
endif()

set(ACMECPP_CMAKE_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/acmecpp)

install(TARGETS acmecpp
  EXPORT acmecppTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS acmectl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Only include/acmecpp: lib/ holds the private headers (and the generated version_config.hpp).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/acmecpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")

install(EXPORT acmecppTargets
  NAMESPACE acmecpp::
  DESTINATION ${ACMECPP_CMAKE_PACKAGE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/acmecppConfig.cmake.in
  ${PROJECT_BINARY_DIR}/packaging/acmecppConfig.cmake
  INSTALL_DESTINATION ${ACMECPP_CMAKE_PACKAGE_DIR})
# Semantic versioning: any 0.x.y satisfies a request for 0.w when x.y >= w; 1.0 does not.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/packaging/acmecppConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/packaging/acmecppConfig.cmake
  ${PROJECT_BINARY_DIR}/packaging/acmecppConfigVersion.cmake
  DESTINATION ${ACMECPP_CMAKE_PACKAGE_DIR})

# acmecpp.pc finds its prefix relative to itself (${pcfiledir}), so it stays right when installed
# with `cmake --install --prefix` elsewhere than the configured prefix, or with DESTDIR moved.
# Absolute install directories (-DCMAKE_INSTALL_LIBDIR=/opt/...) are written as they are.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(ACMECPP_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(ACMECPP_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(ACMECPP_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH ACMECPP_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
  string(REGEX REPLACE "/$" "" ACMECPP_PC_TO_PREFIX "${ACMECPP_PC_TO_PREFIX}")
  set(ACMECPP_PC_PREFIX "\${pcfiledir}/${ACMECPP_PC_TO_PREFIX}")
  set(ACMECPP_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(ACMECPP_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/acmecpp.pc.in ${PROJECT_BINARY_DIR}/packaging/acmecpp.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/packaging/acmecpp.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
