# SPDX-License-Identifier: Apache-2.0
# How acmectl is linked: against the static archives Debian ships (libcurl.a, libssl.a,
# libcrypto.a and the rest) or against the shared libraries.
#
# Why static: Debian's libcurl.so pulls in 25 more shared libraries (GnuTLS for RTMP, Kerberos,
# LDAP, SSH, ...) that acmectl never calls. Loading and relocating them is most of a short
# command's time (`acmectl --version` 6 ms dynamic, 2.5 ms static) and their touched pages
# are a good part of its memory. A static link takes only the objects that are referenced.
# The price: acmectl must be rebuilt to pick up a security update of OpenSSL or libcurl, as
# lego or Traefik (static Go binaries) must be. Packagers who want the system's libraries set
# -DACMECPP_STATIC_ACMECTL=OFF (docs/PACKAGING.md).
#
# ACMECPP_STATIC_ACMECTL: AUTO (default) links statically when the archives of OpenSSL and
# libcurl are there and the build allows it, ON insists (configure fails otherwise), OFF links
# the shared libraries. The library itself (libacmecpp) always names the shared libraries for
# its consumers. Sets ACMECPP_ACMECTL_STATIC to ON or OFF: what was chosen.

set(ACMECPP_STATIC_ACMECTL AUTO CACHE STRING
  "Link acmectl against static archives: AUTO, ON or OFF")
set_property(CACHE ACMECPP_STATIC_ACMECTL PROPERTY STRINGS AUTO ON OFF)

# acmecpp_static_refusal(OUT): why a static acmectl cannot be built in this configuration, or "".
function(acmecpp_static_refusal out)
  set(reason "")
  if(BUILD_SHARED_LIBS)
    set(reason "BUILD_SHARED_LIBS=ON: acmectl links the library's static copy against shared libraries")
  elseif(ACMECPP_SANITIZE OR ACMECPP_TSAN)
    set(reason "the sanitizer runtimes want the shared C++ runtime")
  endif()
  set(${out} "${reason}" PARENT_SCOPE)
endfunction()

# acmecpp_static_link_items(OUT_ARCHIVES OUT_SHARED OUT_MISSING): every library a static link of
# acmectl needs, as archives where Debian ships one and shared libraries where it ships none
# (Kerberos' GSSAPI, p11-kit) or where the archive would need yet more (SASL). The names come from the pkg-config files with --static; librtmp,
# ldap and libssh2 are asked directly because libcurl.pc names them without their own
# dependencies (GnuTLS, libgpg-error). OUT_MISSING lists what was not found: an archive of
# curl, ssl or crypto, or any other library in neither form.
function(acmecpp_static_link_items out_archives out_shared out_missing)
  set(modules libcurl librtmp ldap libssh2 libbrotlidec libidn2 openssl ldns hiredis yaml-cpp)
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --static --libs-only-l ${modules}
    OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    set(${out_missing} "pkg-config --static ${modules}" PARENT_SCOPE)
    return()
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  set(names "")
  foreach(flag IN LISTS flags)
    string(REGEX REPLACE "^-l" "" name "${flag}")
    list(APPEND names ${name})
  endforeach()
  list(REMOVE_DUPLICATES names)
  # Parts of glibc and the compiler's runtime: always linked as the toolchain decides.
  list(REMOVE_ITEM names dl pthread m rt atomic)

  # Shared even though Debian ships an archive: libsasl2.a wants Berkeley DB for its sasldb.
  set(keep_shared sasl2)

  set(archives "")
  set(shared "")
  set(missing "")
  foreach(name IN LISTS names)
    if(NOT name IN_LIST keep_shared)
      find_library(ACMECPP_STATIC_${name} NAMES lib${name}.a)
    endif()
    if(ACMECPP_STATIC_${name})
      list(APPEND archives ${ACMECPP_STATIC_${name}})
    elseif(name MATCHES "^(curl|ssl|crypto)$")
      list(APPEND missing lib${name}.a)
    else()
      find_library(ACMECPP_SHARED_${name} NAMES ${name})
      if(ACMECPP_SHARED_${name})
        list(APPEND shared ${ACMECPP_SHARED_${name}})
      else()
        list(APPEND missing "lib${name}.a or lib${name}.so")
      endif()
    endif()
  endforeach()
  set(${out_archives} "${archives}" PARENT_SCOPE)
  set(${out_shared} "${shared}" PARENT_SCOPE)
  set(${out_missing} "${missing}" PARENT_SCOPE)
endfunction()

# acmecpp_link_statically(TARGET ARCHIVES SHARED): links TARGET (acmectl, a bench program) with
# libacmecpp.a, the archives and the shared rest. Not through the acmecpp target, whose link
# interface names the shared OpenSSL and libcurl: one process must never hold two copies of
# OpenSSL.
function(acmecpp_link_statically target archives shared)
  add_dependencies(${target} acmecpp)
  target_include_directories(${target} PRIVATE
    $<TARGET_PROPERTY:acmecpp,INTERFACE_INCLUDE_DIRECTORIES>)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS $<TARGET_FILE:acmecpp>)
  # A group: the archives refer to each other in both directions (libldap.a and libgnutls.a).
  target_link_libraries(${target} PRIVATE $<TARGET_FILE:acmecpp> -Wl,--start-group ${archives}
    -Wl,--end-group ${shared} Threads::Threads ${CMAKE_DL_LIBS})
  target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
endfunction()

acmecpp_static_refusal(ACMECPP_STATIC_REFUSAL)
set(ACMECPP_ACMECTL_STATIC OFF)
if(NOT ACMECPP_STATIC_ACMECTL STREQUAL "OFF")
  if(ACMECPP_STATIC_REFUSAL)
    if(ACMECPP_STATIC_ACMECTL STREQUAL "ON")
      message(FATAL_ERROR "ACMECPP_STATIC_ACMECTL=ON: impossible here, ${ACMECPP_STATIC_REFUSAL}")
    endif()
    message(STATUS "acmectl: linked to shared libraries (${ACMECPP_STATIC_REFUSAL})")
  else()
    acmecpp_static_link_items(ACMECPP_STATIC_ARCHIVES ACMECPP_STATIC_SHARED ACMECPP_STATIC_MISSING)
    if(ACMECPP_STATIC_MISSING)
      if(ACMECPP_STATIC_ACMECTL STREQUAL "ON")
        message(FATAL_ERROR "ACMECPP_STATIC_ACMECTL=ON, but not found: ${ACMECPP_STATIC_MISSING}"
          " (scripts/install-deps.sh installs what Debian needs)")
      endif()
      message(STATUS "acmectl: linked to shared libraries (not found: ${ACMECPP_STATIC_MISSING})")
    else()
      set(ACMECPP_ACMECTL_STATIC ON)
      message(STATUS "acmectl: linked statically; shared only: ${ACMECPP_STATIC_SHARED}")
    endif()
  endif()
endif()
