# The run graph slice: painter (shared by view and export), view, and the tab with its toolbar.
target_sources(weft_widgets PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/rungraphedges.h
  ${CMAKE_CURRENT_LIST_DIR}/rungraphedges.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rungraphraster.h
  ${CMAKE_CURRENT_LIST_DIR}/rungraphraster.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rungraphpainter.h
  ${CMAKE_CURRENT_LIST_DIR}/rungraphpainter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rungraphview.h
  ${CMAKE_CURRENT_LIST_DIR}/rungraphview.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rungraphwidget.h
  ${CMAKE_CURRENT_LIST_DIR}/rungraphwidget.cpp)
