# The timeline slice: task runs of a flow run as intervals on a time line.
target_sources(weft_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/timelineroles.h
  ${CMAKE_CURRENT_LIST_DIR}/timelinemath.h
  ${CMAKE_CURRENT_LIST_DIR}/timelinemath.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timelinemodel.h
  ${CMAKE_CURRENT_LIST_DIR}/timelinemodel.cpp
)
