# `make package`: two Debian packages built by CPack's DEB generator.
#   daybook        the controller, /usr/bin/daybook, daybook(1) and the
#                  section 5 pages of what it reads
#   daybook-agent  /usr/sbin/daybook-agent, its conffile
#                  /etc/daybook/agent.toml, the systemd unit (enabled and
#                  started by the postinst as dh_installsystemd would),
#                  daybook-agent(8)
# Dependencies come from the binaries (dpkg-shlibdeps), plus what the agent
# runs. Descriptions: CPack indents every line after the first by one space
# (a lone "." separates paragraphs). Checked with lintian (tests/packaging/deb_test.sh).
include(GNUInstallDirs)

set(DAYBOOK_PKG ${PROJECT_SOURCE_DIR}/packaging)
set(DAYBOOK_PKG_BUILD ${PROJECT_BINARY_DIR}/packaging)

install(TARGETS daybook RUNTIME DESTINATION bin COMPONENT controller)
install(TARGETS daybook-agent RUNTIME DESTINATION sbin COMPONENT agent)
install(FILES ${DAYBOOK_PKG}/agent.toml DESTINATION /etc/daybook PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT agent)
install(FILES ${DAYBOOK_PKG}/daybook-agent.service DESTINATION /lib/systemd/system COMPONENT agent)

# Per package: copyright and a compressed changelog (Debian policy 12.5, 12.7).
file(MAKE_DIRECTORY ${DAYBOOK_PKG_BUILD})
add_custom_command(OUTPUT ${DAYBOOK_PKG_BUILD}/changelog.Debian.gz
  COMMAND gzip -9n -c ${DAYBOOK_PKG}/deb/changelog > ${DAYBOOK_PKG_BUILD}/changelog.Debian.gz
  DEPENDS ${DAYBOOK_PKG}/deb/changelog VERBATIM)
set(DAYBOOK_PKG_OUTPUTS ${DAYBOOK_PKG_BUILD}/changelog.Debian.gz)
foreach(pkg_component IN ITEMS "daybook;controller" "daybook-agent;agent")
  list(GET pkg_component 0 pkg)
  list(GET pkg_component 1 component)
  install(FILES ${DAYBOOK_PKG}/deb/copyright ${DAYBOOK_PKG_BUILD}/changelog.Debian.gz
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${pkg} COMPONENT ${component})
endforeach()

# Man pages from scdoc sources (docs/man/*.scd; Debian's scdoc), gzipped.
find_program(SCDOC scdoc)
set(DAYBOOK_MAN_PAGES daybook.1 daybook-agent.8 daybook-manifest.5 daybook-inventory.5 daybook.toml.5)
foreach(page IN LISTS DAYBOOK_MAN_PAGES)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
  set(source ${PROJECT_SOURCE_DIR}/docs/man/${page}.scd)
  set(out ${DAYBOOK_PKG_BUILD}/man/${page}.gz)
  if(SCDOC)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${DAYBOOK_PKG_BUILD}/man
      COMMAND sh -c "${SCDOC} < '${source}' | gzip -9n > '${out}'"
      DEPENDS ${source} VERBATIM)
    list(APPEND DAYBOOK_PKG_OUTPUTS ${out})
  endif()
  set(component controller)
  if(page STREQUAL "daybook-agent.8")
    set(component agent)
  endif()
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT ${component} OPTIONAL)
endforeach()
add_custom_target(package-files ALL DEPENDS ${DAYBOOK_PKG_OUTPUTS})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME daybook)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "the daybook developers <daybook@example.org>")
set(CPACK_PACKAGE_VENDOR "the daybook developers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL controller agent)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/daybook")

set(CPACK_DEBIAN_CONTROLLER_PACKAGE_NAME daybook)
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_DEPENDS "git, openssh-client")
set(CPACK_COMPONENT_CONTROLLER_DESCRIPTION "fleet deployment and security patching, controller
daybook pushes versioned manifests (TOML committed in git) over SSH to the
daybook-agent on every host: security patches (apt, dnf) and identical
code deployments, each intervention recorded in a signed, append-only
journal that auditors verify offline.
.
This package holds the controller command, daybook(1).")

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME daybook-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "init-system-helpers (>= 1.54~)")  # deb-systemd-helper, deb-systemd-invoke
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "bubblewrap")
set(CPACK_DEBIAN_AGENT_PACKAGE_SUGGESTS "unattended-upgrades, dnf")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    "${DAYBOOK_PKG_BUILD}/deb-agent/postinst;${DAYBOOK_PKG_BUILD}/deb-agent/prerm;${DAYBOOK_PKG_BUILD}/deb-agent/postrm;${DAYBOOK_PKG_BUILD}/deb-agent/conffiles")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_COMPONENT_AGENT_DESCRIPTION "fleet deployment and security patching, resident agent
daybook-agent runs as root on every managed host, answers the daybook
controller over SSH, applies the security patches and code deployments
that committed manifests name, and keeps the signed results.
.
This package holds the agent, daybook-agent(8), its configuration
/etc/daybook/agent.toml and its systemd unit.")
# The maintainer scripts under their Debian names (CPack takes the file name).
foreach(script IN ITEMS postinst prerm postrm conffiles)
  configure_file(${DAYBOOK_PKG}/deb/agent-${script} ${DAYBOOK_PKG_BUILD}/deb-agent/${script} COPYONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
file(CHMOD ${DAYBOOK_PKG_BUILD}/deb-agent/conffiles PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

include(CPack)
