# SPDX-License-Identifier: Apache-2.0
# What the built acmectl says about itself in --help (CLI11's layout), for the scripts that make
# the man page (ManPage.cmake) and the bash completion (Completion.cmake) from it, so that both
# stay true to the CLI. Included by those scripts; ACMECTL is the program.

# acmectl_output(OUT ARGS...): what `acmectl ARGS` prints; a failure stops the script.
function(acmectl_output out)
  execute_process(COMMAND ${ACMECTL} ${ARGN} OUTPUT_VARIABLE text ERROR_VARIABLE error
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "acmectl ${ARGN} failed (${status}): ${error}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# acmectl_subcommands(OUT): the subcommands `acmectl --help` lists under "Subcommands:".
function(acmectl_subcommands out)
  acmectl_output(help --help)
  string(FIND "${help}" "\nSubcommands:\n" start)
  if(start EQUAL -1)
    message(FATAL_ERROR "acmectl --help lists no \"Subcommands:\"")
  endif()
  string(SUBSTRING "${help}" ${start} -1 listing)
  string(REGEX MATCHALL "\n  [a-z][a-z0-9-]*" entries "${listing}")
  set(names "")
  foreach(entry IN LISTS entries)
    string(STRIP "${entry}" name)
    list(APPEND names ${name})
  endforeach()
  if(NOT names)
    message(FATAL_ERROR "acmectl --help: no subcommand under \"Subcommands:\"")
  endif()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# acmectl_options(HELP OUT_FLAGS OUT_VALUED): the options of one --help text: OUT_FLAGS those
# that take no value, OUT_VALUED those followed by a type (TEXT, UINT, INT, ...). Both the short
# and the long name of "-v,--verbose" are listed.
function(acmectl_options help out_flags out_valued)
  string(REGEX MATCHALL "\n  (-[A-Za-z],)?--[a-z0-9-]+( [A-Z]+[= \n:])?" entries "${help}")
  set(flags "")
  set(valued "")
  foreach(entry IN LISTS entries)
    string(STRIP "${entry}" entry)
    string(REGEX MATCH "^[^ ]+" names "${entry}")
    string(REPLACE "," ";" names "${names}")
    if(entry MATCHES " [A-Z]+")
      list(APPEND valued ${names})
    else()
      list(APPEND flags ${names})
    endif()
  endforeach()
  set(${out_flags} "${flags}" PARENT_SCOPE)
  set(${out_valued} "${valued}" PARENT_SCOPE)
endfunction()

# acmectl_positional_choices(HELP OUT): the values a positional argument may take, when the help
# lists them ("action TEXT:{show,update,rollover,deactivate}").
function(acmectl_positional_choices help out)
  string(REGEX MATCH "\nPositionals:\n  [a-z]+ [A-Z]+:{([^}]*)}" match "${help}")
  string(REPLACE "," ";" choices "${CMAKE_MATCH_1}")
  set(${out} "${choices}" PARENT_SCOPE)
endfunction()
