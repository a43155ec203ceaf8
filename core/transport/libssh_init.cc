#include "core/transport/libssh_init.h"

#include <libssh/libssh.h>

#include <mutex>

namespace daybook::transport {

void InitLibssh() {
  static std::once_flag once;
  std::call_once(once, [] { ssh_init(); });
}

}  // namespace daybook::transport
