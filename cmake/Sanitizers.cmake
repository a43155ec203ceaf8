# DAYBOOK_SANITIZE="address;undefined" (or thread) instruments daybook's targets.
add_library(daybook_sanitize INTERFACE)
if(DAYBOOK_SANITIZE)
  list(JOIN DAYBOOK_SANITIZE "," _daybook_sanitizers)
  target_compile_options(daybook_sanitize INTERFACE
    -fsanitize=${_daybook_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(daybook_sanitize INTERFACE -fsanitize=${_daybook_sanitizers})
endif()
# GCC 12 warns (-Wtsan) that Boost.Asio's atomic_thread_fence is not
# instrumented; with -Werror that stopped every thread-sanitizer build.
# TSan then only misses orderings made by those fences, inside Boost.
if("thread" IN_LIST DAYBOOK_SANITIZE)
  target_compile_options(daybook_sanitize INTERFACE -Wno-tsan)
endif()
# DAYBOOK_FUZZ: every daybook target gets libFuzzer's coverage
# instrumentation; the fuzz targets link the fuzzer itself (fuzz/).
if(DAYBOOK_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DAYBOOK_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  target_compile_options(daybook_sanitize INTERFACE -fsanitize=fuzzer-no-link)
endif()
