# Shared by the slices, the app and the tests: the shipped light/dark theme (tests paint with it),
# the state badge of page headers, the "Mark as…" dialog and the result view.
target_sources(weft_widgets PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/theme.h
  ${CMAKE_CURRENT_LIST_DIR}/theme.cpp
  ${CMAKE_CURRENT_LIST_DIR}/statebadge.h
  ${CMAKE_CURRENT_LIST_DIR}/statebadge.cpp
  ${CMAKE_CURRENT_LIST_DIR}/markasdialog.h
  ${CMAKE_CURRENT_LIST_DIR}/markasdialog.cpp
  ${CMAKE_CURRENT_LIST_DIR}/resultview.h
  ${CMAKE_CURRENT_LIST_DIR}/resultview.cpp)
