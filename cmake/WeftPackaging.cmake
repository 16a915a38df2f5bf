# Debian packages through CPack, one per install component (WeftInstall.cmake):
#   weft         the `weft` CLI (and its bash completion)
#   weft-server  the server `weft server start` runs (Prefect's REST API; links Qt)
#   weft-studio  the desktop app, its desktop entry and icon
#   libweft-dev  headers, libweft.a, the CMake package and weft.pc
# The engine is a static library, as many young C++ libraries ship in Debian (no ABI to keep
# stable yet): the programs carry it, so nothing needs a libweft0 at run time, and libweft-dev
# depends on the -dev packages of what it links. `scripts/package.sh` builds them into dist/.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME weft)
set(CPACK_PACKAGE_VENDOR "The Weft authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Each package's summary is the first line of its description below: CPack would put any summary
# other than its default in front of them.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
# Installed through DESTDIR into /usr, so the install step sees the real prefix (weft.pc records
# it), whatever CMAKE_INSTALL_PREFIX the tree was configured with. scripts/package.sh configures
# /usr too, for Debian's multiarch lib/<triplet>/.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL cli dev)
if(TARGET weft-server)
  list(APPEND CPACK_COMPONENTS_ALL server)
endif()
if(WEFT_BUILD_STUDIO)
  list(APPEND CPACK_COMPONENTS_ALL studio)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # NAME_VERSION-RELEASE_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER
    "Weft maintainers <maintainers@users.noreply.b-seed-737947d3.example>")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends of the programs are computed from the libraries they link (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

set(CPACK_DEBIAN_CLI_PACKAGE_NAME weft)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_CLI_DESCRIPTION
    "workflow orchestration for C++: command line
Weft runs C++ functions as tasks and flows, with retries, caching, timeouts and
cancellation, and records every run, state, result and log line in a local
SQLite database.

The weft command lists, inspects, retries, cancels and deletes flow runs and
task runs in that database, follows their logs, and creates new flow projects.")

# The CLI stays Qt-free; `weft server start` needs the server package beside it.
set(CPACK_DEBIAN_CLI_PACKAGE_SUGGESTS weft-server)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME weft-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "weft (= ${PROJECT_VERSION}-1)")
set(CPACK_COMPONENT_SERVER_DESCRIPTION
    "workflow orchestration for C++: REST API server
The Weft server serves Prefect's REST API (a compatible subset: flows, flow
runs, task runs, their states and logs) over a SQLite database, with the same
orchestration rules as the programs that run flows locally.

It is started with `weft server start` and listens on 127.0.0.1 by default.")

set(CPACK_DEBIAN_STUDIO_PACKAGE_NAME weft-studio)
set(CPACK_DEBIAN_STUDIO_PACKAGE_SECTION devel)
set(CPACK_COMPONENT_STUDIO_DESCRIPTION
    "workflow orchestration for C++: desktop app to monitor runs
Weft Studio shows the flow runs recorded by Weft programs as they happen: the
run list, each run's task graph, timeline and logs, and a dashboard. Runs can
be retried from a task, cancelled, marked and deleted.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libweft-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# What Weft's headers include and what libweft.a links (WeftConfig.cmake finds the same).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "nlohmann-json3-dev (>= 3.10), libspdlog-dev, libfmt-dev, libsqlite3-dev, libsqlitecpp-dev, libxxhash-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "weft (= ${PROJECT_VERSION}-1), cmake (>= 3.25) | pkg-config")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "workflow orchestration for C++: development files
Weft runs C++ functions as tasks and flows, with retries, caching, timeouts and
cancellation, and records every run, state, result and log line in a local
SQLite database.

This package has the headers, the static library, the CMake package
(find_package(Weft) gives Weft::weft) and the pkg-config file.")

include(CPack)
