// ssh_init() exactly once per process, from whichever side starts first.
#pragma once

namespace daybook::transport {
void InitLibssh();
}  // namespace daybook::transport
