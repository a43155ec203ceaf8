#include "core/journal/export.h"

#include <doctest/doctest.h>

#include "core/base/strings.h"
#include "core/journal/key_signer.h"

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
  CHECK(check->exported == 3);  // web-01's key pin, the begin that targets it and its result
  CHECK(check->not_exported == 7);

  std::string removed = RemoveLineContaining(*out, "\"type\":\"host.result\"");
  CHECK(CheckExport(removed, e.vkeys).error().message.find("was removed from the export") != std::string::npos);
  std::string altered = *out;
  altered.replace(altered.find("\"status\":\"ok\""), 13, "\"status\":\"no\"");
  CHECK(CheckExport(altered, e.vkeys).error().message.find("was altered") != std::string::npos);
}

TEST_CASE("export: csv is plain rows for a spreadsheet, checked cell by cell against its proof") {
  Exported e;
  ExportOptions options;
  options.delimiter = ';';
  Result<CsvExport> out = ExportCsv(e.files, options, e.f.journal_key);
  REQUIRE(out.ok());
  CHECK(out->csv.rfind("seq;time;intervention;operator;operator_key;ticket;manifest;host;status;summary;error;leaf_hash\r\n", 0) == 0);
  CHECK(out->csv.find("\n2;2026-11-01T00:00:03.000Z;i-1;ops@example;SHA256:") != std::string::npos);  // the person, then the key
  CHECK(out->csv.find('{') == std::string::npos);  // no record JSON in a cell
  CHECK(out->csv.find('#') == std::string::npos);  // no framing lines
  Result<ExportCheck> check = CheckCsvExport(out->csv, out->proof, e.vkeys);
  REQUIRE_MESSAGE(check.ok(), check.error().message);
  CHECK(check->exported == 3);
  CHECK(CheckExport(out->proof, e.vkeys).ok());  // the proof stands on its own

  auto message = [&](const std::string& csv) {
    Result<ExportCheck> r = CheckCsvExport(csv, out->proof, e.vkeys);
    return r.ok() ? std::string("ok") : r.error().message;
  };
  CHECK(message(RemoveLineContaining(out->csv, ";web-02;")).find("a row was removed") != std::string::npos);
  std::string altered = out->csv;
  altered.replace(altered.find(";web-02;"), 8, ";web-09;");
  CHECK(message(altered).find("host differs from the record") != std::string::npos);
  std::string lf;
  for (char c : out->csv) if (c != '\r') lf += c;
  CHECK(message(lf) == "ok");
  CHECK(message("\xEF\xBB\xBF" + out->csv) == "ok");
  CHECK(message(out->csv + "\r\n") == "ok");  // a blank last line
  CHECK(message(out->csv + "\"unterminated").find("unterminated quote") != std::string::npos);
  CHECK(message(out->csv + "1;2;3\r\n").find("3 cells") != std::string::npos);
  CHECK_FALSE(CheckCsvExport(out->csv, out->proof, {*ParseVerifierKey(FormatVerifierKey(*GenerateNoteSigner("x")))}).ok());
  // Rows in another order, or a quote that parses the same here but not in
  // a spreadsheet: the file is not the one the proof makes.
  std::vector<std::string> lines = Split(out->csv, '\n');
  CHECK(message(lines[0] + "\n" + lines[2] + "\n" + lines[1] + "\n" + lines[3] + "\n").find("row order") != std::string::npos);
  std::string requoted = out->csv;
  requoted.replace(requoted.find(";web-02;"), 8, ";\"web-02\";");
  CHECK(message(requoted).find("line 3 is not what the proof's records make") != std::string::npos);
  // A cell holding the other delimiter is quoted, whatever the delimiter.
  Result<CsvExport> tabbed = ExportCsv(e.files, ExportOptions{{}, '\t'}, e.f.journal_key);
  REQUIRE(tabbed.ok());
  CHECK(CheckCsvExport(tabbed->csv, tabbed->proof, e.vkeys).ok());
  CHECK(tabbed->csv.rfind("seq\ttime\t", 0) == 0);
}

TEST_CASE("export: a csv cell holding any delimiter is quoted, whatever the file's own") {
  TempDir tmp;
  JournalFixture f{tmp.path / "journal"};
  auto fs = MakePosixFilesystem();
  const std::string ticket = "CHG-7;=cmd|' /C calc'!A0,@SUM(1+1)";
  {
    auto w = f.Open(*fs);
    KeyOperatorSigner signer(f.operator_key);
    f.Pin(*w, "web-01");
    f.Tick();
    Result<Appended> begin = w->Append(kInterventionBegin,
                                       {{"intervention", "i-1"}, {"manifest", {{"commit", std::string(40, 'a')}, {"path", "m.toml"}}},
                                        {"targets", {"web-01"}}, {"ticket", ticket}},
                                       &signer);
    REQUIRE(begin.ok());
    f.Tick();
    REQUIRE(w->Append(kHostResult, {{"intervention", "i-1"}, {"host", "web-01"}, {"status", "ok"}, {"begin_seq", begin->seq},
                                    {"agent", JournalFixture::SignedAgent(f.agent_key, "i-1", "web-01", begin->line)}})
                .ok());
  }
  JournalFiles files = *ReadJournalFiles(*fs, f.dir);
  for (char delimiter : {',', ';'}) {
    CAPTURE(delimiter);
    Result<CsvExport> out = ExportCsv(files, ExportOptions{{}, delimiter}, f.journal_key);
    REQUIRE(out.ok());
    // Opened with either delimiter, the ticket stays one cell, and no piece of it starts a formula.
    CHECK(out->csv.find("\"" + ticket + "\"") != std::string::npos);
    CHECK(CheckCsvExport(out->csv, out->proof, f.VerifyWith().vkeys).ok());
  }
  CHECK(NeutraliseCell("=SUM(A1)") == "'=SUM(A1)");
  CHECK(NeutraliseCell("-1") == "'-1");
  CHECK(NeutraliseCell("@x") == "'@x");
  CHECK(NeutraliseCell("+x") == "'+x");
  CHECK(NeutraliseCell("web-01") == "web-01");
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
