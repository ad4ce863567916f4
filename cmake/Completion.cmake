# SPDX-License-Identifier: Apache-2.0
# cmake -P script: writes acmectl's bash completion from the built acmectl's own --help and each
# subcommand's, into the template packaging/completion/acmectl.bash.in. Run by the
# acmectl_completion target (cmake/Packaging.cmake) with
#   -DACMECTL=<acmectl> -DTEMPLATE=<acmectl.bash.in> -DOUTPUT=<acmectl>
foreach(variable ACMECTL TEMPLATE OUTPUT)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "Completion.cmake: -D${variable}=... is missing")
  endif()
endforeach()

include(${CMAKE_CURRENT_LIST_DIR}/AcmectlHelp.cmake)

acmectl_output(help --help)
acmectl_options("${help}" common_flags common_valued)
set(common_options ${common_flags} ${common_valued})
set(value_options ${common_valued})

acmectl_subcommands(subcommands)
set(cases "")
foreach(name IN LISTS subcommands)
  acmectl_output(sub_help ${name} --help)
  acmectl_options("${sub_help}" flags valued)
  # What the subcommand's help repeats of the common options (-h,--help) is listed once.
  set(own ${flags} ${valued})
  list(REMOVE_ITEM own ${common_options})
  list(APPEND value_options ${valued})
  acmectl_positional_choices("${sub_help}" choices)
  list(JOIN own " " own_text)
  list(JOIN choices " " choices_text)
  string(APPEND cases "    ${name})\n      options+=\" ${own_text}\"\n")
  if(choices_text)
    string(APPEND cases "      choices=\"${choices_text}\"\n")
  endif()
  string(APPEND cases "      ;;\n")
endforeach()
string(REGEX REPLACE "\n$" "" cases "${cases}")
list(REMOVE_DUPLICATES value_options)

list(JOIN subcommands " " ACMECTL_SUBCOMMANDS)
list(JOIN common_options " " ACMECTL_COMMON_OPTIONS)
list(JOIN value_options " " ACMECTL_VALUE_OPTIONS)
set(ACMECTL_SUBCOMMAND_CASES "${cases}")
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
