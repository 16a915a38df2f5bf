# What `cmake --install build --prefix P` puts in P, by component (one Debian package each, see
# WeftPackaging.cmake):
#   cli     bin/weft, its bash completion
#   server  bin/weft-server, beside bin/weft (`weft server start` runs it from there)
#   studio  bin/weft-studio, its desktop entry and icon
#   dev     include/weft/, lib/libweft.a, lib/cmake/Weft/ (find_package(Weft)), lib/pkgconfig/weft.pc
# and the licence with each, as share/doc/<package>/copyright.
include(CMakePackageConfigHelpers)

set(WEFT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Weft)

install(TARGETS weft RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(FILES ${PROJECT_SOURCE_DIR}/embedded-engine/cli/completion/weft.bash
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions RENAME weft
        COMPONENT cli)

# Its own component: the server links Qt (Network, HttpServer), the CLI links no Qt.
if(TARGET weft-server)
  install(TARGETS weft-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server)
endif()

if(TARGET weft-studio)
  install(TARGETS weft-studio RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT studio)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/weft-studio.desktop
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/applications COMPONENT studio)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/weft.svg
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/icons/hicolor/scalable/apps
          RENAME weft-studio.svg COMPONENT studio)
endif()

install(TARGETS weft_engine EXPORT WeftTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
# A stripping install (CPack, `cmake --install --strip`) drops the debug sections of libweft.a
# and keeps its symbols, as Debian's dh_strip does for static libraries.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug
      \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:weft_engine>\")
  endif()
" COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/embedded-engine/include/weft
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev FILES_MATCHING PATTERN "*.hpp")

install(EXPORT WeftTargets NAMESPACE Weft:: DESTINATION ${WEFT_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/WeftConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/WeftConfig.cmake
                              INSTALL_DESTINATION ${WEFT_CMAKE_DIR})
# 0.x: a minor version may break the API, so find_package(Weft 0.1) accepts 0.1.* only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/WeftConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/WeftConfig.cmake ${PROJECT_BINARY_DIR}/WeftConfigVersion.cmake
        DESTINATION ${WEFT_CMAKE_DIR} COMPONENT dev)

# weft.pc names the prefix it is installed in, known only at install time (`--prefix`, CPack).
set(WEFT_PC_PREFIX "@WEFT_PC_PREFIX@") # left for the install step
configure_file(${PROJECT_SOURCE_DIR}/cmake/weft.pc.in ${PROJECT_BINARY_DIR}/weft.pc.in @ONLY)
install(CODE "
  set(WEFT_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(_pc \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/weft.pc\")
  message(STATUS \"Installing: \${_pc}\")
  configure_file(\"${PROJECT_BINARY_DIR}/weft.pc.in\" \"\${_pc}\" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${_pc}\")
" COMPONENT dev)

foreach(pair cli:weft server:weft-server studio:weft-studio dev:libweft-dev)
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 0 component)
  list(GET pair 1 package)
  if((component STREQUAL "studio" AND NOT WEFT_BUILD_STUDIO)
     OR (component STREQUAL "server" AND NOT TARGET weft-server))
    continue()
  endif()
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package}
          RENAME copyright COMPONENT ${component})
endforeach()
