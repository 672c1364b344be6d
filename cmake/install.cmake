# Install rules and the CMake package, so that an outside project can
# find_package(irql CONFIG) and link irql::irql (and irql::host for tests).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

if(IRQL_KERNEL)
  install(TARGETS irql EXPORT irqlTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
else()
  install(TARGETS irql irql_host EXPORT irqlTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/host/include/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/irql-host)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/irql DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT irqlTargets NAMESPACE irql:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/irql)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/irqlConfig.cmake.in
  ${PROJECT_BINARY_DIR}/irqlConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/irql)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/irqlConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/irqlConfig.cmake ${PROJECT_BINARY_DIR}/irqlConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/irql)
