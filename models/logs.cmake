# The logs slice: LogModel (ids in memory, text fetched by pages), its roles, formatting and export.
target_sources(weft_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/logroles.h
  ${CMAKE_CURRENT_LIST_DIR}/logidlist.h
  ${CMAKE_CURRENT_LIST_DIR}/logformat.h
  ${CMAKE_CURRENT_LIST_DIR}/logformat.cpp
  ${CMAKE_CURRENT_LIST_DIR}/logmodel.h
  ${CMAKE_CURRENT_LIST_DIR}/logmodel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/logmodeldata.cpp
  ${CMAKE_CURRENT_LIST_DIR}/logexporter.h
  ${CMAKE_CURRENT_LIST_DIR}/logexporter.cpp)
