# Warnings and project-wide defines live on one INTERFACE target, linked PRIVATE by every target.
add_library(weft_flags INTERFACE)
target_compile_options(weft_flags INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
target_compile_definitions(weft_flags INTERFACE QT_NO_CAST_FROM_ASCII QT_NO_FOREACH
                                                QT_NO_KEYWORDS SPDLOG_FMT_EXTERNAL)

# Sanitizer builds are chosen by presets through WEFT_SANITIZE (address;undefined or thread).
set(WEFT_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address;undefined or thread")
if(WEFT_SANITIZE)
  list(JOIN WEFT_SANITIZE "," _weft_sanitizers)
  add_compile_options(-fsanitize=${_weft_sanitizers} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${_weft_sanitizers})
endif()
