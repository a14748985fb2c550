# The Debian package (scripts/package.sh): what `cmake --install` puts under /usr plus the
# maintainer scripts that make the user and /etc/isc-mirror. Built with CPack's DEB generator.

set(ISC_MIRROR_PACKAGE_MAINTAINER "isc-mirror maintainers <isc-mirror@example.com>"
    CACHE STRING "The Maintainer field of the Debian package and its changelog")

set(ISC_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/isc-mirror)
configure_file(packaging/debian/changelog.in ${CMAKE_BINARY_DIR}/package/changelog @ONLY)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/package/changelog.gz
  COMMAND gzip -9nc ${CMAKE_BINARY_DIR}/package/changelog > ${CMAKE_BINARY_DIR}/package/changelog.gz
  DEPENDS ${CMAKE_BINARY_DIR}/package/changelog)
add_custom_target(isc_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/package/changelog.gz)

install(FILES packaging/debian/copyright ${CMAKE_BINARY_DIR}/package/changelog.gz README.md
        DESTINATION ${ISC_DOC_DIR})
install(DIRECTORY docs/ DESTINATION ${ISC_DOC_DIR}/docs FILES_MATCHING PATTERN "*.md")
install(FILES packaging/isc-mirror.sysusers DESTINATION lib/sysusers.d RENAME isc-mirror.conf)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME isc-mirror)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${ISC_MIRROR_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "PostgreSQL mirror of SailPoint Identity Security Cloud")
set(CPACK_PACKAGE_DESCRIPTION
    "A daemon that keeps a PostgreSQL mirror of SailPoint Identity Security\n\
Cloud (ISC) tenants, records every change as an event, and runs configured\n\
actions on changes: joiner-mover-leaver automation such as handing a\n\
leaver's data-access ownership and open certification reviews to the\n\
manager. It runs as a systemd service; the mirror is queried with SQL.")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# systemd-sysusers makes the user (the unit needs systemd anyway); deb-systemd-invoke
# (init-system-helpers, essential) stops and restarts it.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-client")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, prometheus, grafana")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/package)
include(CPack)
