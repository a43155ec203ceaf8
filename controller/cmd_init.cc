// daybook init DIR: creates a fleet repository (DESIGN.md §3) that validates
// as created, so the first `daybook validate` is green.
#include <array>
#include <ostream>

#include "controller/commands.h"
#include "controller/fleet.h"
#include "controller/journal_context.h"
#include "controller/output.h"

namespace daybook::controller {
namespace {

namespace fs = std::filesystem;

struct TemplateFile {
  const char* path;
  const char* contents;
};

constexpr std::array<TemplateFile, 6> kTemplate{{
    {"daybook.toml",
     R"(# Controller settings for this fleet (see `daybook --help` and docs/).

[operator]
key = "~/.ssh/id_ed25519"        # used when no ssh-agent offers an allowed key

[journal]
dir = "journal"                   # the intervention journal, relative to this repository
signing_key = ".daybook/journal.key"   # created by daybook init, 0600, git-ignored
origin = "@ORIGIN@"               # checkpoint origin line; journal.vkey verifies it

[defaults]
parallel = 100                    # hosts contacted at once
connect_timeout = "10s"
)"},
    {"inventory/hosts.toml",
     R"(# Hosts and groups. Target expressions: all, web-01, web-*, group:web,
# group:web,group:db (union), group:web&group:dc1 (intersection), !web-02.

[defaults]
port = 7022                       # the agent's port

[groups.web]
hosts = ["web-01"]
window = "Sun 02:00-04:00 UTC"    # maintenance window: DAYS HH:MM-HH:MM ZONE

[hosts.web-01]
address = "192.0.2.11"
)"},
    {"inventory/known_hosts", "# Pinned agent host keys (OpenSSH known_hosts format).\n"},
    {"manifests/example.toml",
     R"(# An intervention. Commit it, then `daybook plan manifests/example.toml`.

[manifest]
name = "example-security-patches"
description = "Pending security updates, one host first"
targets = "all"

[patch]
policy = "security"               # security | all | none
reboot = "never"                  # never | if-required | always

[rollout]
canary = 1
batch = "50%"
max_failures = 0
timeout = "15m"
)"},
    {"allowed_signers", "# Operators allowed to act (OpenSSH allowed_signers format).\n"},
    {".gitignore",
     "# Never commit the journal signing key.\n/.daybook/\n"
     "# The journal lives beside the repository on the admin host, not in git (docs/journal.md).\n/journal/\n"},
}};

int RunInit(Env& env, const std::string& dir_arg) {
  fs::path dir = fs::path(dir_arg);
  if (dir.is_relative()) dir = env.cwd / dir;
  dir = dir.lexically_normal();
  if (env.fs.Exists(dir)) {
    Result<std::vector<std::string>> entries = env.fs.ListDirectory(dir);
    if (!entries) return ReportError(env.err, entries.error());
    if (!entries->empty()) {
      return ReportError(env.err, MakeError(ErrorCode::kInvalidInput,
                                            dir_arg + " is not empty; daybook init wants a new or empty directory"));
    }
  }
  // Order: git first, so a failure leaves at most an empty repository.
  if (Status made = env.fs.CreateDirectories(dir); !made) return ReportError(env.err, made.error());
  if (Status git = env.git.Init(dir); !git) return ReportError(env.err, git.error());
  const std::string origin = DefaultOrigin(dir);
  for (const TemplateFile& file : kTemplate) {
    fs::path path = dir / file.path;
    std::string contents = file.contents;
    if (size_t at = contents.find("@ORIGIN@"); at != std::string::npos) contents.replace(at, 8, origin);
    Status status = env.fs.CreateDirectories(path.parent_path());
    if (status) status = env.fs.WriteFileAtomic(path, contents, 0644);
    if (!status) return ReportError(env.err, status.error());
  }
  if (Status keys = CreateJournalKeys(env.fs, dir, origin); !keys) return ReportError(env.err, keys.error());
  env.out << "Created fleet repository " << dir_arg << "\n";
  for (const TemplateFile& file : kTemplate) env.out << "  " << file.path << "\n";
  env.out << "  " << kVerifierKeyFile << "          (publish it: auditors verify the journal with it)\n"
          << "  .daybook/journal.key  (the journal signing key, 0600, never committed)\n";
  env.out << "Next: add each operator to allowed_signers (a line `NAME ssh-ed25519 AAAA...`: yours is\n"
             "  `echo \"you@team $(cat ~/.ssh/id_ed25519.pub)\" >> allowed_signers`; `ssh-keygen -t ed25519` if you have\n"
             "  none), edit inventory/ and manifests/, run `daybook validate`, then commit.\n";
  return kExitOk;
}

}  // namespace

void AddInitCommand(CLI::App& app, Env& env, int& exit_code) {
  CLI::App* command = app.add_subcommand("init", "Create a fleet repository in DIR (new or empty)");
  auto dir = std::make_shared<std::string>();
  command->add_option("DIR", *dir, "Directory to create the fleet repository in")->required();
  command->footer(
      "Creates a git repository with daybook.toml, inventory/hosts.toml, inventory/known_hosts,\n"
      "manifests/example.toml and allowed_signers. Refuses a directory that is not empty.");
  command->callback([&env, &exit_code, dir] { exit_code = RunInit(env, *dir); });
}

}  // namespace daybook::controller
