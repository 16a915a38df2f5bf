# The run graph slice: the scene builder (pure, pool thread) and the live model over a Backend.
target_sources(weft_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/rungraphscene.h
  ${CMAKE_CURRENT_LIST_DIR}/rungraphscene.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rungraphmodel.h
  ${CMAKE_CURRENT_LIST_DIR}/rungraphmodel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rungraphmodel_snapshot.cpp)
