# The logs slice: LogView (toolbar + table of lines) and its delegate.
target_sources(weft_widgets PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/logdelegate.h
  ${CMAKE_CURRENT_LIST_DIR}/logdelegate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/logview.h
  ${CMAKE_CURRENT_LIST_DIR}/logview.cpp
  ${CMAKE_CURRENT_LIST_DIR}/logviewactions.cpp)
