target_sources(weft_widgets PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/dashboardwidget.h
  ${CMAKE_CURRENT_LIST_DIR}/dashboardwidget.cpp
)
