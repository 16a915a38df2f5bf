# weft_add_test(NAME SOURCES... LIBS... [TIMEOUT s] [LABELS ...])
# One Qt Test binary per class or feature; runs offscreen with a timeout.
#
# Every test is also labelled by what it covers, from its folder under tests/: engine, sdk, cli,
# integration, install, and for Studio studio-models (models alone) or studio-widgets (views and
# the app). The sanitizer run in CI builds only `weft_sanitizer_tests` (engine, SDK and model
# tests) and runs them with `ctest -L 'engine|sdk|studio-models'`.
add_custom_target(weft_sanitizer_tests)

function(weft_area_label out libs)
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR}/tests ${CMAKE_CURRENT_SOURCE_DIR})
  string(REGEX REPLACE "/.*" "" area "${rel}")
  if(area STREQUAL "studio")
    if(libs MATCHES "weft::widgets|weft_app")
      set(area studio-widgets)
    else()
      set(area studio-models)
    endif()
  endif()
  set(${out} ${area} PARENT_SCOPE)
endfunction()

function(weft_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${T_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bin
                                           AUTOMOC ON)
  target_link_libraries(${name} PRIVATE ${T_LIBS} Qt6::Test weft_flags)
  weft_area_label(area "${T_LIBS}")
  if(area MATCHES "^(engine|sdk|studio-models)$")
    add_dependencies(weft_sanitizer_tests ${name})
  endif()
  set(labels ${area} ${T_LABELS})
  list(REMOVE_DUPLICATES labels)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${labels}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;WEFT_BIN_DIR=${CMAKE_BINARY_DIR}/bin;WEFT_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
