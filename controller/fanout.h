// The fan-out engine every command that talks to hosts uses: `work(i)` for
// i in [0, count) on at most `parallel` threads. Each call carries its own
// timeouts, so one slow or dead host never holds up the others; `done(i)`
// runs as each finishes (serialized), so results and progress stream.
// Anything that escapes `work(i)` (a library exception on a hostile
// answer) is caught: `crashed(i, what)` records it as that host's failure
// (before done(i)), and the other hosts carry on.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace daybook::controller {

void FanOut(size_t count, int parallel, const std::function<void(size_t)>& work,
            const std::function<void(size_t)>& done,
            const std::function<void(size_t, const std::string& what)>& crashed);

}  // namespace daybook::controller
