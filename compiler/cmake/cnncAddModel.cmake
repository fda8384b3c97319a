# cnnc_add_model(<target> MODEL <file> [WEIGHTS <file>] [NAME <c-name>]
#                [OPTIONS <cnnc options>...])
#
# Compiles MODEL (.cnn, .onnx or Darknet .cfg; WEIGHTS: its .safetensors or
# .weights file) with `cnnc -c` at build time into the static library
# <target>, which carries the object, puts the generated "<name>.h" on its
# users' include path and links cnnc::cnnrt. NAME (default: the model
# file's stem as a C identifier) prefixes every symbol of the model
# (<name>_run, ...), so several models link into one program. The model is
# compiled again when it, its weights or cnnc change. OPTIONS go to cnnc
# as they are (e.g. -O2, --target-cpu=x86-64-v3; the default CPU is the
# building machine's).
function(cnnc_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODEL;WEIGHTS;NAME" "OPTIONS")
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "cnnc_add_model(${target}): MODEL <file> is required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "cnnc_add_model(${target}): unknown arguments "
                        "${ARG_UNPARSED_ARGUMENTS}")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE)
  if(ARG_NAME)
    set(name "${ARG_NAME}")
  else()
    get_filename_component(stem "${model}" NAME_WE)
    string(MAKE_C_IDENTIFIER "${stem}" name)
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/cnnc_models/${target}")
  set(object "${dir}/${name}.o")
  set(header "${dir}/${name}.h")
  set(inputs "${model}")
  set(weights)
  if(ARG_WEIGHTS)
    get_filename_component(weights_file "${ARG_WEIGHTS}" ABSOLUTE)
    list(APPEND inputs "${weights_file}")
    set(weights --weights "${weights_file}")
  endif()
  add_custom_command(
    OUTPUT "${object}" "${header}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${dir}"
    COMMAND cnnc::cnnc "${model}" ${weights} --name "${name}" -c
            -o "${object}" ${ARG_OPTIONS}
    DEPENDS ${inputs} "$<TARGET_FILE:cnnc::cnnc>"
    COMMENT "cnnc: compiling ${ARG_MODEL} as ${name}"
    VERBATIM)
  set_source_files_properties("${object}" PROPERTIES EXTERNAL_OBJECT TRUE
                                                     GENERATED TRUE)
  add_library(${target} STATIC "${object}" "${header}")
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
  target_include_directories(${target} PUBLIC "${dir}")
  target_link_libraries(${target} PUBLIC cnnc::cnnrt)
endfunction()
