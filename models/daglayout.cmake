# The run graph's layout (models/daglayout.h): plain C++, no Qt, so it is tested alone and runs on
# any thread. models/CMakeLists.txt includes this file and links it into weft_models;
# tests/studio includes it when Studio is not built.
add_library(weft_daglayout STATIC
  ${CMAKE_CURRENT_LIST_DIR}/daglayout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daglayout_coords.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daglayout_layered.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daglayout_order.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daglayout_rows.cpp)
target_include_directories(weft_daglayout PUBLIC ${CMAKE_CURRENT_LIST_DIR}/..)
target_link_libraries(weft_daglayout PRIVATE weft_flags)
set_target_properties(weft_daglayout PROPERTIES AUTOMOC OFF POSITION_INDEPENDENT_CODE ON)
