#include "core/inventory/parser.h"

#include <algorithm>
#include <map>

#include "core/base/strings.h"
#include "core/schema/toml_reader.h"

namespace daybook::inventory {
namespace {

using schema::Field;
using schema::Presence;
using schema::TableReader;

// What one file says, before the files are merged and cross-checked.
struct RawHost {
  Host host;
  bool has_port = false;  // else the fleet's [defaults] port applies
  std::vector<Field<std::string>> groups;
};
struct RawGroup {
  Group group;
  std::vector<Field<std::string>> hosts;
};
struct RawFile {
  std::optional<SourceLoc> defaults_loc;  // set when the file has [defaults]
  std::optional<int> default_port;
  std::vector<RawHost> hosts;
  std::vector<RawGroup> groups;
};

std::optional<Window> ReadWindow(TableReader& reader) {
  std::optional<Field<std::string>> text = reader.String("window");
  if (!text) return std::nullopt;
  return ParseWindow(text->value, text->pos.Shifted(1), reader.diags());
}

// "port", checked to be 1-65535; nullopt when absent or bad (bad is reported).
std::optional<int> ReadPort(TableReader& reader) {
  std::optional<Field<int64_t>> port = reader.Integer("port");
  if (!port) return std::nullopt;
  if (port->value < 1 || port->value > 65535) {
    reader.diags().Error(port->pos, "port " + std::to_string(port->value) + " out of range 1-65535");
    return std::nullopt;
  }
  return static_cast<int>(port->value);
}

bool CheckName(const toml::key& key, const std::string& what, Diagnostics& diags) {
  if (IsValidName(key.str())) return true;
  diags.Error(schema::PosOf(key), "bad " + what + " name " + Quoted(key.str()) +
                                      ": use letters, digits, '.', '_' and '-', starting with a letter or digit");
  return false;
}

// Calls read(key, table) for each [<what>s.<name>] table with a valid name;
// reports bad names and entries that are not tables.
template <typename ReadFn>
void ForEachNamedTable(const toml::table& section, const std::string& what, Diagnostics& diags, ReadFn read) {
  for (const auto& [key, node] : section) {
    if (!CheckName(key, what, diags)) continue;
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      diags.Error(schema::PosOf(node), what + " " + Quoted(key.str()) + " must be a table ([" + what + "s." +
                                           std::string(key.str()) + "])");
      continue;
    }
    read(key, *table);
  }
}

void ReadGroups(const toml::table& groups, RawFile& raw, Diagnostics& diags) {
  ForEachNamedTable(groups, "group", diags, [&](const toml::key& key, const toml::table& table) {
    TableReader reader(table, "[groups." + std::string(key.str()) + "]", diags);
    RawGroup group;
    group.group.name = std::string(key.str());
    group.group.loc = {diags.path(), schema::PosOf(key)};
    if (auto hosts = reader.StringArray("hosts")) group.hosts = std::move(*hosts);
    if (auto description = reader.String("description")) group.group.description = description->value;
    group.group.window = ReadWindow(reader);
    reader.RejectUnknownKeys();
    raw.groups.push_back(std::move(group));
  });
}

void ReadHosts(const toml::table& hosts, RawFile& raw, Diagnostics& diags) {
  ForEachNamedTable(hosts, "host", diags, [&](const toml::key& key, const toml::table& table) {
    TableReader reader(table, "[hosts." + std::string(key.str()) + "]", diags);
    RawHost host;
    host.host.name = std::string(key.str());
    host.host.loc = {diags.path(), schema::PosOf(key)};
    host.host.address = host.host.name;
    if (auto address = reader.String("address")) {
      // A DNS name or an IP (bootstrap hands it to ssh(1) when the host has
      // no `ssh`): what those are made of, and never an option.
      bool clean = !address->value.empty() && address->value.front() != '-' &&
                   std::all_of(address->value.begin(), address->value.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("._:[]%-").find(c) != std::string_view::npos;
                   });
      if (clean) {
        host.host.address = address->value;
      } else {
        diags.Error(address->pos, "bad address " + Quoted(address->value) + " for host " + Quoted(key.str()));
      }
    }
    host.host.ssh = host.host.address;
    if (auto ssh = reader.String("ssh")) {
      // Handed to ssh(1) as its destination: never read as an option.
      // Only what host names, users, ports and IPv6 literals are made of:
      // an ssh_config ProxyCommand with %h hands it to a shell.
      bool clean = !ssh->value.empty() && ssh->value.front() != '-' && ssh->value.size() <= 512 &&
                   std::all_of(ssh->value.begin(), ssh->value.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("@._:/[]%-").find(c) != std::string_view::npos;
                   });
      if (clean) {
        host.host.ssh = ssh->value;
      } else {
        diags.Error(ssh->pos, "bad ssh destination " + Quoted(ssh->value) + " for host " + Quoted(key.str()) +
                                  " (want [user@]host or ssh://[user@]host[:port])");
      }
    }
    if (std::optional<int> port = ReadPort(reader)) {
      host.host.port = *port;
      host.has_port = true;
    }
    if (auto groups = reader.StringArray("groups")) host.groups = std::move(*groups);
    (void)reader.String("description");  // free text for humans: accepted, not kept
    if ((host.host.window = ReadWindow(reader))) host.host.window_from = "host";
    reader.RejectUnknownKeys();
    raw.hosts.push_back(std::move(host));
  });
}

RawFile ReadFile(const SourceFile& file, Diagnostics& diags) {
  RawFile raw;
  std::optional<toml::table> doc = schema::ParseDocument(file.text, diags);
  if (!doc) return raw;
  TableReader root(*doc, "the inventory", diags);
  if (const toml::table* defaults = root.Table("defaults")) {
    TableReader reader(*defaults, "[defaults]", diags);
    raw.default_port = ReadPort(reader);
    raw.defaults_loc = SourceLoc{file.path, schema::PosOf(*defaults)};
    reader.RejectUnknownKeys();
  }
  if (const toml::table* groups = root.Table("groups")) ReadGroups(*groups, raw, diags);
  if (const toml::table* hosts = root.Table("hosts")) ReadHosts(*hosts, raw, diags);
  root.RejectUnknownKeys();
  return raw;
}

template <typename T>
std::vector<std::string> NamesOf(const std::map<std::string, T*>& by_name) {
  std::vector<std::string> names;
  for (const auto& entry : by_name) names.push_back(entry.first);
  return names;
}

std::string WithSuggestion(std::string message, const std::string& word, const std::vector<std::string>& names) {
  if (auto guess = ClosestMatch(word, names)) message += "; did you mean " + Quoted(*guess) + "?";
  return message;
}

// Cross-file checks: duplicates, memberships in both directions, windows.
Inventory Merge(std::vector<RawFile>& files, std::map<std::string, Diagnostics>& diags) {
  Inventory inventory;
  int port = kDefaultAgentPort;
  const SourceLoc* defaults_at = nullptr;
  std::map<std::string, RawHost*> hosts;
  std::map<std::string, RawGroup*> groups;
  for (RawFile& file : files) {
    if (file.defaults_loc) {
      if (defaults_at != nullptr) {
        diags.at(file.defaults_loc->path).Error(file.defaults_loc->pos,
            "[defaults] defined twice (first at " + defaults_at->ToString() + ")");
      } else {
        defaults_at = &*file.defaults_loc;
        if (file.default_port) port = *file.default_port;
      }
    }
    for (RawHost& host : file.hosts) {
      auto [it, inserted] = hosts.emplace(host.host.name, &host);
      if (!inserted) {
        diags.at(host.host.loc.path).Error(host.host.loc.pos, "duplicate host " + Quoted(host.host.name) +
                                           " (first defined at " + it->second->host.loc.ToString() + ")");
      }
    }
    for (RawGroup& group : file.groups) {
      auto [it, inserted] = groups.emplace(group.group.name, &group);
      if (!inserted) {
        diags.at(group.group.loc.path).Error(group.group.loc.pos, "duplicate group " + Quoted(group.group.name) +
                                             " (first defined at " + it->second->group.loc.ToString() + ")");
      }
    }
  }
  std::vector<std::string> host_names = NamesOf(hosts), group_names = NamesOf(groups);

  // Memberships, from both directions.
  std::map<std::string, std::vector<std::string>> members;  // group → hosts
  for (auto& [name, host] : hosts) {
    for (const Field<std::string>& group : host->groups) {
      if (groups.count(group.value) == 0) {
        diags.at(host->host.loc.path).Error(group.pos, WithSuggestion("host " + Quoted(name) +
            " is in undefined group " + Quoted(group.value) + " (define [groups." + group.value + "])",
            group.value, group_names));
      } else {
        members[group.value].push_back(name);
      }
    }
  }
  for (auto& [name, group] : groups) {
    for (const Field<std::string>& host : group->hosts) {
      if (hosts.count(host.value) == 0) {
        diags.at(group->group.loc.path).Error(host.pos, WithSuggestion("group " + Quoted(name) +
            " lists unknown host " + Quoted(host.value), host.value, host_names));
      } else {
        members[name].push_back(host.value);
      }
    }
  }
  for (auto& [name, group] : groups) {
    std::vector<std::string>& list = members[name];
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    group->group.hosts = list;
    for (const std::string& host : list) hosts.at(host)->host.groups.push_back(name);
    inventory.groups.push_back(group->group);
  }

  // One agent answers for one host: two names for one address and port
  // would let one machine's key and results stand for two.
  std::map<std::pair<std::string, int>, std::string> endpoints;
  for (auto& [name, raw] : hosts) {
    Host host = raw->host;
    if (!raw->has_port) host.port = port;
    auto [same, fresh] = endpoints.emplace(std::pair{host.address, host.port}, name);
    if (!fresh) {
      diags.at(host.loc.path).Error(host.loc.pos, "host " + Quoted(name) + " has the address and port of host " +
                                                      Quoted(same->second) + " (" + host.address + ":" +
                                                      std::to_string(host.port) + "): one agent answers for one host");
    }
    if (!host.window) {
      for (const std::string& group_name : host.groups) {
        const std::optional<Window>& window = groups.at(group_name)->group.window;
        if (!window) continue;
        if (host.window && host.window->text != window->text) {
          diags.at(host.loc.path).Error(host.loc.pos, "host " + Quoted(name) + " gets different windows from " +
              host.window_from + " and group:" + group_name + "; set \"window\" on the host");
          break;
        }
        host.window = window;
        host.window_from = "group:" + group_name;
      }
    }
    inventory.hosts.push_back(std::move(host));
  }
  return inventory;
}

}  // namespace

std::string SourceLoc::ToString() const {
  return path + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

const Host* Inventory::FindHost(std::string_view name) const {
  auto it = std::lower_bound(hosts.begin(), hosts.end(), name,
                             [](const Host& h, std::string_view n) { return h.name < n; });
  return it != hosts.end() && it->name == name ? &*it : nullptr;
}

const Group* Inventory::FindGroup(std::string_view name) const {
  auto it = std::lower_bound(groups.begin(), groups.end(), name,
                             [](const Group& g, std::string_view n) { return g.name < n; });
  return it != groups.end() && it->name == name ? &*it : nullptr;
}

Result<Inventory> ParseInventory(const std::vector<SourceFile>& files) {
  std::map<std::string, Diagnostics> diags;
  std::vector<RawFile> raws;
  raws.reserve(files.size());  // Merge keeps pointers into raws
  for (const SourceFile& file : files) {
    Diagnostics& d = diags.try_emplace(file.path, file.path).first->second;
    raws.push_back(ReadFile(file, d));
  }
  Inventory inventory = Merge(raws, diags);
  std::vector<Diagnostic> all;
  for (auto& [path, d] : diags) {
    for (Diagnostic& diagnostic : d.Take()) all.push_back(std::move(diagnostic));
  }
  if (std::any_of(all.begin(), all.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; })) {
    SortDiagnostics(all);
    return Error{ErrorCode::kInvalidInput, "invalid inventory", std::move(all)};
  }
  return inventory;
}

}  // namespace daybook::inventory
