# The timeline slice: the run page's Gantt chart of task runs.
target_sources(weft_widgets PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/timelinepainter.h
  ${CMAKE_CURRENT_LIST_DIR}/timelinepainter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timelineview.h
  ${CMAKE_CURRENT_LIST_DIR}/timelineview.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timelinewidget.h
  ${CMAKE_CURRENT_LIST_DIR}/timelinewidget.cpp)
