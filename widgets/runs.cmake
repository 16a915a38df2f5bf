# The "runs" slice: run table, filter bar, state badges, task-run table and its details pane.
target_sources(weft_widgets PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/errorpanel.h
  ${CMAKE_CURRENT_LIST_DIR}/errorpanel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/statebadgedelegate.h
  ${CMAKE_CURRENT_LIST_DIR}/statebadgedelegate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/filterbar.h
  ${CMAKE_CURRENT_LIST_DIR}/filterbar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runlistwidget.h
  ${CMAKE_CURRENT_LIST_DIR}/runlistwidget.cpp
  ${CMAKE_CURRENT_LIST_DIR}/taskruntable.h
  ${CMAKE_CURRENT_LIST_DIR}/taskruntable.cpp
  ${CMAKE_CURRENT_LIST_DIR}/taskrundetails.h
  ${CMAKE_CURRENT_LIST_DIR}/taskrundetails.cpp
)
