#include "core/journal/export.h"

#include <doctest/doctest.h>

#include "core/journal/proof.h"
#include "tests/core/journal/fixture.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::journal;
using namespace daybook::testing;

namespace {

struct Exported {
  TempDir tmp;
  JournalFixture f{tmp.path / "journal"};
  JournalFiles files;
  std::vector<NoteVerifier> vkeys;

  Exported() {
    auto fs = MakePosixFilesystem();
    {
      auto w = f.Open(*fs);
      f.Intervention(*w, "i-1", {"web-01", "web-02"});
      f.Intervention(*w, "i-2", {"db-01"});
    }
    files = *ReadJournalFiles(*fs, f.dir);
    vkeys = f.VerifyWith().vkeys;
  }
};

std::string RemoveLineContaining(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  size_t start = text.rfind('\n', at) + 1, end = text.find('\n', at) + 1;
  return text.substr(0, start) + text.substr(end);
}

}  // namespace

TEST_CASE("export: jsonl lines are the leaves, filtered, and check offline") {
  Exported e;
  ExportOptions options;
  options.filter.host = "web-01";
  Result<std::string> out = ExportJsonl(e.files, options, e.f.journal_key);
  REQUIRE(out.ok());
  CHECK(out->rfind("{\"daybook_export\":{", 0) == 0);
  CHECK(out->find("\"filters\":{\"host\":\"web-01\"}") != std::string::npos);
  Result<ExportCheck> check = CheckExport(*out, e.vkeys);
  REQUIRE_MESSAGE(check.ok(), check.error().message);
  CHECK(check->size == 10);
  CHECK(check->exported == 2);  // the begin that targets web-01 and its result
  CHECK(check->not_exported == 8);

  std::string removed = RemoveLineContaining(*out, "\"type\":\"host.result\"");
  CHECK(CheckExport(removed, e.vkeys).error().message.find("was removed from the export") != std::string::npos);
  std::string altered = *out;
  altered.replace(altered.find("\"status\":\"ok\""), 13, "\"status\":\"no\"");
  CHECK(CheckExport(altered, e.vkeys).error().message.find("was altered") != std::string::npos);
}

TEST_CASE("export: csv has one row per host result, neutralised cells, and checks offline") {
  Exported e;
  ExportOptions options;
  options.delimiter = ';';
  Result<std::string> out = ExportCsv(e.files, options, e.f.journal_key);
  REQUIRE(out.ok());
  CHECK(out->find("# filters: none\n") != std::string::npos);
  CHECK(out->find("\nseq;ts;intervention;operator;ticket;manifest;host;status;leaf_hash;record\n") != std::string::npos);
  CHECK(out->find("\n2;2026-11-01T00:00:03.000Z;i-1;ops@example (SHA256:") != std::string::npos);  // the person, then the key
  Result<ExportCheck> check = CheckExport(*out, e.vkeys);
  REQUIRE_MESSAGE(check.ok(), check.error().message);
  CHECK(check->exported == 3);

  std::string removed = RemoveLineContaining(*out, ";web-02;");
  CHECK(CheckExport(removed, e.vkeys).error().message.find("was removed from the export") != std::string::npos);
  std::string altered = *out;
  altered.replace(altered.find(";web-02;"), 8, ";web-09;");
  CHECK(CheckExport(altered, e.vkeys).error().message.find("cell host differs") != std::string::npos);
  std::string other_key = *out;
  CHECK_FALSE(CheckExport(other_key, {*ParseVerifierKey(FormatVerifierKey(*GenerateNoteSigner("x")))}).ok());
  CHECK(NeutraliseCell("=SUM(A1)") == "'=SUM(A1)");
  CHECK(NeutraliseCell("-1") == "'-1");
  CHECK(NeutraliseCell("@x") == "'@x");
  CHECK(NeutraliseCell("+x") == "'+x");
  CHECK(NeutraliseCell("web-01") == "web-01");
}

TEST_CASE("export: csv framing is strict: no added, repeated or misplaced line passes, CRLF line ends do") {
  Exported e;
  Result<std::string> out = ExportCsv(e.files, ExportOptions{}, e.f.journal_key);
  REQUIRE(out.ok());
  auto check = [&](const std::string& text) {
    Result<ExportCheck> r = CheckExport(text, e.vkeys);
    return r.ok() ? std::string("ok") : r.error().message;
  };
  REQUIRE(check(*out) == "ok");
  std::string crlf;
  for (char c : *out) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(check(crlf) == "ok");

  size_t header = out->find("\nseq,");
  size_t first_row = out->find('\n', header + 1) + 1;
  size_t trailer = out->find("# begin ");
  std::string second_row = out->substr(first_row, out->find('\n', first_row) - first_row + 1);
  // A comment a reader would take for part of the export.
  CHECK(check(out->substr(0, first_row) + "# approved by the CISO\n" + out->substr(first_row)).find("unexpected line") != std::string::npos);
  CHECK(check("#x\n" + *out).find("unexpected line") != std::string::npos);
  // A second header row, or a data row before the header or after the trailer.
  CHECK(check(out->substr(0, first_row) + out->substr(header + 1, first_row - header - 1) + out->substr(first_row))
            .find("repeated header") != std::string::npos);
  CHECK(check(out->substr(0, header + 1) + second_row + out->substr(header + 1)).find("missing header") != std::string::npos);
  CHECK(check(*out + second_row).find("after the trailer") != std::string::npos);
  // A repeated framing line, even an identical one.
  size_t filters = out->find("# filters: ");
  std::string filters_line = out->substr(filters, out->find('\n', filters) - filters + 1);
  CHECK(check(out->substr(0, filters) + filters_line + out->substr(filters)).find("repeated line") != std::string::npos);
  // The readable checkpoint line must be the signed one.
  std::string summary = *out;
  summary.replace(summary.find("# checkpoint: size 10"), 21, "# checkpoint: size 11");
  CHECK(check(summary).find("checkpoint line differs") != std::string::npos);
  // A begin repeated, or a framing line moved below the rows.
  std::string begin_line = out->substr(trailer, out->find('\n', trailer) - trailer + 1);
  CHECK(check(*out + begin_line).find("repeated begin") != std::string::npos);
  CHECK(check(RemoveLineContaining(*out, "# filters: ") + filters_line).find("out of place") != std::string::npos);
}

TEST_CASE("proofs: every sealed record proves offline, tampered proofs fail") {
  Exported e;
  for (int64_t seq = 0; seq < 10; ++seq) {
    Result<std::string> proof = MakeProof(e.files, seq);
    REQUIRE(proof.ok());
    Result<ProvenRecord> proven = CheckProof(*proof, e.vkeys);
    REQUIRE_MESSAGE(proven.ok(), proven.error().message);
    CHECK(proven->seq == seq);
    CHECK(proven->size == 10);
  }
  std::string proof = *MakeProof(e.files, 2);  // a host result
  std::string other_record = proof;
  other_record.replace(other_record.find("\"status\":\"ok\""), 13, "\"status\":\"no\"");
  CHECK_FALSE(CheckProof(other_record, e.vkeys).ok());
  std::string other_index = proof;
  other_index.replace(other_index.find("index 2"), 7, "index 3");
  CHECK_FALSE(CheckProof(other_index, e.vkeys).ok());
  std::string bad_hash = proof;
  size_t h = bad_hash.find("hash ") + 6;
  bad_hash[h] = bad_hash[h] == 'A' ? 'B' : 'A';
  CHECK_FALSE(CheckProof(bad_hash, e.vkeys).ok());
  CHECK_FALSE(MakeProof(e.files, 10).ok());
}
