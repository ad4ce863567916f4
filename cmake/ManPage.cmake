# SPDX-License-Identifier: Apache-2.0
# cmake -P script: writes acmectl(1) with help2man from the built acmectl's own --help, plus a
# SUBCOMMANDS section made of each subcommand's --help (help2man reads only the top-level one).
# Run by the acmectl_man target (cmake/Packaging.cmake) with
#   -DACMECTL=<acmectl> -DHELP2MAN=<help2man> -DINCLUDE=<acmectl.h2m> -DOUTPUT=<acmectl.1>
foreach(variable ACMECTL HELP2MAN INCLUDE OUTPUT)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "ManPage.cmake: -D${variable}=... is missing")
  endif()
endforeach()

include(${CMAKE_CURRENT_LIST_DIR}/AcmectlHelp.cmake)

# roff_text(OUT TEXT): TEXT shown as it is (no-fill): backslashes escaped, lines that would be
# read as requests (a leading . or ') protected, '-' as the ASCII hyphen-minus of options.
function(roff_text out text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

acmectl_subcommands(subcommands)
set(section "[SUBCOMMANDS]\n")
foreach(name IN LISTS subcommands)
  acmectl_output(text ${name} --help)
  roff_text(text "${text}")
  string(APPEND section ".SS ${name}\n.nf\n${text}.fi\n")
endforeach()
get_filename_component(output_dir "${OUTPUT}" DIRECTORY)
set(generated_include "${output_dir}/acmectl-subcommands.h2m")
file(WRITE "${generated_include}" "${section}")

# The version line: the first line of --version. The lines after it name the libraries this
# build links (OpenSSL, libcurl, ...), which belong to a binary, not to its manual.
acmectl_output(version --version)
string(REGEX MATCH "^[^\n]*" version_line "${version}")
if(NOT version_line MATCHES "^acmectl [0-9]")
  message(FATAL_ERROR "acmectl --version: the first line is not \"acmectl VERSION\": ${version_line}")
endif()

execute_process(COMMAND ${HELP2MAN} --no-info --no-discard-stderr
    --name "obtain and keep TLS certificates with ACME"
    --version-string "${version_line}"
    --include "${INCLUDE}" --include "${generated_include}"
    --output "${OUTPUT}" ${ACMECTL}
  RESULT_VARIABLE status ERROR_VARIABLE error)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "help2man failed (${status}): ${error}")
endif()
