// The fleet inventory: hosts, groups, maintenance windows, merged from every
// inventory/*.toml file of a fleet repository.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/base/diagnostic.h"
#include "core/inventory/window.h"

namespace daybook::inventory {

constexpr int kDefaultAgentPort = 7022;

// Where a definition was written, for errors that point at two places.
struct SourceLoc {
  std::string path;
  SourcePos pos;
  std::string ToString() const;
};

struct Host {
  std::string name;
  std::string address;            // DNS name or IP; defaults to the host name
  int port = kDefaultAgentPort;
  // Where `daybook bootstrap` logs in with the operator's own ssh: an
  // OpenSSH destination ("[user@]host" or "ssh://[user@]host[:port]", as
  // ssh(1) takes it, so ~/.ssh/config applies); defaults to the address.
  std::string ssh;
  std::vector<std::string> groups;  // sorted, from both the host and the groups' lists
  std::optional<Window> window;   // effective window: the host's own, else its groups'
  std::string window_from;        // "host" or "group:<name>", empty without a window
  SourceLoc loc;
};

struct Group {
  std::string name;
  std::string description;
  std::vector<std::string> hosts;  // sorted members, from both directions
  std::optional<Window> window;
  SourceLoc loc;
};

struct Inventory {
  std::vector<Host> hosts;    // sorted by name
  std::vector<Group> groups;  // sorted by name

  const Host* FindHost(std::string_view name) const;
  const Group* FindGroup(std::string_view name) const;
};

}  // namespace daybook::inventory
