# The "runs" slice: flow-run list, its filter, task runs, flows.
target_sources(weft_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/flowrunroles.h
  ${CMAKE_CURRENT_LIST_DIR}/flowrunfilter.h
  ${CMAKE_CURRENT_LIST_DIR}/flowrunfilter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/flowrunlistmodel.h
  ${CMAKE_CURRENT_LIST_DIR}/flowrunlistmodel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/flowrunlistmodel_live.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runformat.h
  ${CMAKE_CURRENT_LIST_DIR}/runformat.cpp
)
target_sources(weft_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/runsnapshot.h
  ${CMAKE_CURRENT_LIST_DIR}/runsnapshot.cpp
  ${CMAKE_CURRENT_LIST_DIR}/taskrunroles.h
  ${CMAKE_CURRENT_LIST_DIR}/taskrunmodel.h
  ${CMAKE_CURRENT_LIST_DIR}/taskrunmodel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/flowlistmodel.h
  ${CMAKE_CURRENT_LIST_DIR}/flowlistmodel.cpp
)
