# SPDX-License-Identifier: Apache-2.0
# What a system install of acmectl needs beside the binary (docs/PACKAGING.md, "Running
# acmectl as a service"): the systemd units, the cron file, the man page, the bash completion,
# an example configuration, LICENSE and NOTICE. Included from the top-level CMakeLists.txt once
# the acmectl target exists.
#
# Locations: with CMAKE_INSTALL_PREFIX=/usr (a distribution's package) the units and the cron
# file go where systemd and cron read them (/lib/systemd/system as systemd.pc says, /etc/cron.d);
# with any other prefix they stay under it (PREFIX/lib/systemd/system, which systemd also reads
# for /usr/local; PREFIX/etc/cron.d, to be copied to /etc/cron.d), so that
# `cmake --install --prefix DIR` never writes outside DIR.

option(ACMECPP_INSTALL_SYSTEMD "Install acmectl's systemd units" ON)
option(ACMECPP_INSTALL_CRON "Install acmectl's cron file" ON)
option(ACMECPP_MAN_PAGE "Generate and install acmectl(1) with help2man (skipped if not found)" ON)

set(ACMECPP_ACMECTL_CONFIG "/etc/acmectl/acmectl.yaml" CACHE STRING
  "The configuration file the systemd units and the cron file pass to acmectl --config")

set(ACMECPP_DEFAULT_UNITDIR "lib/systemd/system")
set(ACMECPP_DEFAULT_CRONDIR "${CMAKE_INSTALL_SYSCONFDIR}/cron.d")
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  pkg_get_variable(ACMECPP_PKG_UNITDIR systemd systemdsystemunitdir)
  if(ACMECPP_PKG_UNITDIR)
    set(ACMECPP_DEFAULT_UNITDIR "${ACMECPP_PKG_UNITDIR}")
  endif()
  set(ACMECPP_DEFAULT_CRONDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/cron.d")
endif()
set(ACMECPP_SYSTEMD_UNITDIR "${ACMECPP_DEFAULT_UNITDIR}" CACHE STRING
  "Where the systemd units are installed (relative: under the prefix)")
set(ACMECPP_CRON_DIR "${ACMECPP_DEFAULT_CRONDIR}" CACHE STRING
  "Where the cron file is installed (relative: under the prefix)")

set(ACMECPP_PACKAGING_SOURCE ${PROJECT_SOURCE_DIR}/packaging)
set(ACMECPP_PACKAGING_BINARY ${PROJECT_BINARY_DIR}/packaging)

# The units and the cron file name the installed acmectl and the configuration file.
set(ACMECTL_PATH "${CMAKE_INSTALL_FULL_BINDIR}/acmectl")
set(ACMECTL_CONFIG "${ACMECPP_ACMECTL_CONFIG}")
foreach(unit acmectl.service acmectl-renew.service)
  configure_file(${ACMECPP_PACKAGING_SOURCE}/systemd/${unit}.in
    ${ACMECPP_PACKAGING_BINARY}/systemd/${unit} @ONLY)
endforeach()
configure_file(${ACMECPP_PACKAGING_SOURCE}/systemd/acmectl-renew.timer
  ${ACMECPP_PACKAGING_BINARY}/systemd/acmectl-renew.timer COPYONLY)
configure_file(${ACMECPP_PACKAGING_SOURCE}/cron/acmectl.in
  ${ACMECPP_PACKAGING_BINARY}/cron/acmectl @ONLY)

if(ACMECPP_INSTALL_SYSTEMD)
  install(FILES
    ${ACMECPP_PACKAGING_BINARY}/systemd/acmectl.service
    ${ACMECPP_PACKAGING_BINARY}/systemd/acmectl-renew.service
    ${ACMECPP_PACKAGING_BINARY}/systemd/acmectl-renew.timer
    DESTINATION ${ACMECPP_SYSTEMD_UNITDIR})
endif()
if(ACMECPP_INSTALL_CRON)
  install(FILES ${ACMECPP_PACKAGING_BINARY}/cron/acmectl DESTINATION ${ACMECPP_CRON_DIR})
endif()
install(FILES ${ACMECPP_PACKAGING_SOURCE}/config/acmectl.yaml
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/NOTICE
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The man page and the completion are made by running the built acmectl (its --help), so not
# when cross-compiling.
if(CMAKE_CROSSCOMPILING)
  message(STATUS "acmectl: no man page and no bash completion when cross-compiling")
  return()
endif()

set(ACMECPP_COMPLETION_FILE ${ACMECPP_PACKAGING_BINARY}/completion/acmectl)
add_custom_command(OUTPUT ${ACMECPP_COMPLETION_FILE}
  COMMAND ${CMAKE_COMMAND} -DACMECTL=$<TARGET_FILE:acmectl>
          -DTEMPLATE=${ACMECPP_PACKAGING_SOURCE}/completion/acmectl.bash.in
          -DOUTPUT=${ACMECPP_COMPLETION_FILE} -P ${PROJECT_SOURCE_DIR}/cmake/Completion.cmake
  DEPENDS acmectl ${ACMECPP_PACKAGING_SOURCE}/completion/acmectl.bash.in
          ${PROJECT_SOURCE_DIR}/cmake/Completion.cmake ${PROJECT_SOURCE_DIR}/cmake/AcmectlHelp.cmake
  COMMENT "Generating acmectl's bash completion from its --help"
  VERBATIM)
add_custom_target(acmectl_completion ALL DEPENDS ${ACMECPP_COMPLETION_FILE})
install(FILES ${ACMECPP_COMPLETION_FILE}
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

set(ACMECPP_MAN_PAGE_FILE "")
if(ACMECPP_MAN_PAGE)
  find_program(ACMECPP_HELP2MAN help2man)
  if(ACMECPP_HELP2MAN)
    set(ACMECPP_MAN_PAGE_FILE ${ACMECPP_PACKAGING_BINARY}/man/acmectl.1)
    add_custom_command(OUTPUT ${ACMECPP_MAN_PAGE_FILE}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${ACMECPP_PACKAGING_BINARY}/man
      COMMAND ${CMAKE_COMMAND} -DACMECTL=$<TARGET_FILE:acmectl> -DHELP2MAN=${ACMECPP_HELP2MAN}
              -DINCLUDE=${ACMECPP_PACKAGING_SOURCE}/man/acmectl.h2m
              -DOUTPUT=${ACMECPP_MAN_PAGE_FILE} -P ${PROJECT_SOURCE_DIR}/cmake/ManPage.cmake
      DEPENDS acmectl ${ACMECPP_PACKAGING_SOURCE}/man/acmectl.h2m
              ${PROJECT_SOURCE_DIR}/cmake/ManPage.cmake ${PROJECT_SOURCE_DIR}/cmake/AcmectlHelp.cmake
      COMMENT "Generating acmectl(1) with help2man"
      VERBATIM)
    add_custom_target(acmectl_man ALL DEPENDS ${ACMECPP_MAN_PAGE_FILE})
    install(FILES ${ACMECPP_MAN_PAGE_FILE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  else()
    message(STATUS "acmectl: help2man not found, so no man page (Debian: apt-get install help2man)")
  endif()
endif()
