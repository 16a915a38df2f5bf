# The "launch" slice: starting flow programs from Studio (run again with parameters).
target_sources(weft_widgets PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/parametersdialog.h
  ${CMAKE_CURRENT_LIST_DIR}/parametersdialog.cpp
)
