// The version both binaries print, from the CMake project version.
#pragma once

namespace daybook {
extern const char* const kVersion;
}  // namespace daybook
