// doctest's main, plus one guard. ctest runs each case alone through
// doctest_discover_tests, which keeps case names in a CMake list: a name
// holding ';' is split in two, each half matches no case, and doctest
// exits 0 having run nothing. Such a name is refused here, loudly, and so
// is a filtered run that matched no case at all: a test that cannot fail
// is a defect.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
  int bad = 0;
  for (const doctest::detail::TestCase& test : doctest::detail::getRegisteredTests()) {
    if (std::strchr(test.m_name, ';') != nullptr) {
      std::cerr << test.m_file << ":" << test.m_line << ": error: test case name holds ';', which ctest splits: \""
                << test.m_name << "\"\n";
      ++bad;
    }
  }
  if (bad > 0) return 1;
  doctest::Context context(argc, argv);
  int result = context.run();
  if (result == 0 && context.shouldExit() == false) {
    bool filtered = false;
    for (int i = 1; i < argc; ++i) {
      filtered = filtered || std::strncmp(argv[i], "--test-case=", 12) == 0 || std::strncmp(argv[i], "-tc=", 4) == 0;
    }
    const doctest::detail::ContextState* state = doctest::detail::g_cs;
    if (filtered && state != nullptr && state->numTestCasesPassingFilters == 0) {
      std::cerr << "error: no test case matched the filter\n";
      return 1;
    }
  }
  return result;
}
