target_sources(weft_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/dashboardmodel.h
  ${CMAKE_CURRENT_LIST_DIR}/dashboardmodel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/jsonmodel.h
  ${CMAKE_CURRENT_LIST_DIR}/jsonmodel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/niceaxis.h
  ${CMAKE_CURRENT_LIST_DIR}/niceaxis.cpp
)
