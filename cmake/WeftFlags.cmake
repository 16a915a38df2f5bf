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

# lld links the ~130 executables (Studio's tests link Qt and four static libraries) with a third of
# ld.bfd's CPU time; on 2 cores linking was minutes of every clean build.
option(WEFT_USE_LLD "Link with lld when the toolchain accepts -fuse-ld=lld" ${WEFT_MAIN_PROJECT})
if(WEFT_USE_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld WEFT_HAVE_LLD)
  if(WEFT_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()
