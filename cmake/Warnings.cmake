# daybook_warnings: an INTERFACE target carrying our warning flags. Linked by
# every daybook target (never added globally, so third-party code is untouched).
add_library(daybook_warnings INTERFACE)
target_compile_options(daybook_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
if(DAYBOOK_WERROR)
  target_compile_options(daybook_warnings INTERFACE -Werror)
endif()

# daybook_module(NAME SOURCES...): one core library, target daybook_NAME with
# alias daybook::NAME, public include root at the repository top (so headers
# are included as "core/<module>/<file>.h").
function(daybook_module name)
  add_library(daybook_${name} STATIC ${ARGN})
  add_library(daybook::${name} ALIAS daybook_${name})
  target_include_directories(daybook_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(daybook_${name} PRIVATE daybook_warnings PUBLIC daybook_sanitize)
endfunction()
