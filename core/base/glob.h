// Shell-style glob matching for host names and package names:
// `*` any run, `?` one character, `[abc]`, `[a-z]`, `[!x]`.
#pragma once

#include <string_view>

namespace daybook {

bool IsGlob(std::string_view pattern);

// True when `text` matches `pattern` in full. A malformed class (no closing
// `]`) matches the `[` literally, as fnmatch does.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace daybook
