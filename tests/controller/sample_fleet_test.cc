// The sample fleet shipped in manifests/ and inventory/ must stay valid.
#include <doctest/doctest.h>

#include "controller/validate.h"
#include "core/base/filesystem.h"
#include "core/inventory/parser.h"
#include "core/inventory/target.h"

using namespace daybook;

TEST_CASE("sample fleet: the inventory and every manifest are valid") {
  auto fs = MakePosixFilesystem();
  // The source tree is a fleet repository (daybook.toml, journal.vkey,
  // allowed_signers, inventory/known_hosts): a fresh clone's first
  // `daybook validate` passes. Validated through the same code.
  controller::ValidationReport report = controller::ValidateFleet(*fs, DAYBOOK_SOURCE_DIR, DAYBOOK_SOURCE_DIR, {});
  for (const Diagnostic& d : report.diagnostics) MESSAGE(d.ToString());
  size_t errors = 0;
  for (const Diagnostic& d : report.diagnostics) errors += d.severity == Severity::kError ? 1 : 0;
  CHECK(errors == 0);
  size_t manifests = 0;
  for (const controller::FileVerdict& file : report.files) {
    CAPTURE(file.path);
    CHECK(file.valid);
    if (file.kind == "manifest") ++manifests;
  }
  CHECK(manifests >= 2);
}

TEST_CASE("sample fleet: two datacenters, the groups a reader expects") {
  auto fs = MakePosixFilesystem();
  std::vector<SourceFile> files;
  auto paths = ListFilesWithSuffix(*fs, std::string(DAYBOOK_SOURCE_DIR) + "/inventory", ".toml");
  REQUIRE(paths.ok());
  for (const auto& path : *paths) files.push_back({path.string(), *fs->ReadFile(path)});
  Result<inventory::Inventory> inv = inventory::ParseInventory(files);
  REQUIRE(inv.ok());
  CHECK(inv->hosts.size() == 8);
  Diagnostics diags("--target");
  auto web_rbx = inventory::SelectHosts("group:web&group:dc-rbx", *inv, {1, 1}, diags);
  REQUIRE(web_rbx.has_value());
  CHECK(*web_rbx == std::vector<std::string>{"web-01", "web-02"});
  auto gra = inventory::SelectHosts("group:dc-gra", *inv, {1, 1}, diags);
  REQUIRE(gra.has_value());
  CHECK(gra->size() == 4);
}
