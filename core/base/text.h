// Arbitrary bytes as text. File names, process output and package manager
// output are bytes, not UTF-8; JSON (the wire, the journal) and terminals
// need valid UTF-8 and no control characters. These functions are the one
// place that conversion happens.
//
// The escape (documented in docs/protocol.md, "Text from the host"):
// EscapeBytes keeps every valid UTF-8 sequence as it is, writes a backslash
// as `\\` and each byte that is not part of a valid UTF-8 sequence as `\xHH`
// (two upper-case hex digits). The mapping is lossless and reversible
// (UnescapeBytes), so `caf\xE9.txt` names exactly one file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace daybook {

// True when `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// Length of the valid UTF-8 sequence at the start of `bytes`: 1 to 4, or 0
// when the first byte does not start one (or `bytes` is empty).
size_t Utf8SequenceLength(std::string_view bytes);

// The lossless escape described above. The result is always valid UTF-8.
std::string EscapeBytes(std::string_view bytes);

// Inverse of EscapeBytes; nullopt for a backslash not followed by `\` or
// `xHH`.
std::optional<std::string> UnescapeBytes(std::string_view text);

// Valid UTF-8 text as it is; anything else escaped. For process output and
// messages, where a readable result matters more than a reversible one for
// text that was already UTF-8 (backslashes are kept as they are).
std::string ReadableText(std::string_view bytes);

// At most `max_bytes` of the end of `text` (valid UTF-8), cut at a character
// boundary, prefixed with "…" when something was cut.
std::string Utf8Tail(std::string_view text, size_t max_bytes);

// At most `max_bytes` of the start of `text` (valid UTF-8), cut at a
// character boundary, followed by "…" when something was cut.
std::string Utf8Head(std::string_view text, size_t max_bytes);

// For a terminal: text from a remote or untrusted source with every C0
// control character (except newline when `keep_newlines`), DEL and C1
// control character written as a visible escape (`\x1B`, `\u009B`), and
// invalid UTF-8 escaped as by ReadableText. ANSI escape sequences therefore
// cannot move the cursor, change colours or set the window title.
// Bidirectional overrides and isolates (U+202A..E, U+2066..9) are escaped
// too (`\u202e`), so a file name cannot read backwards on screen.
std::string TerminalSafe(std::string_view text, bool keep_newlines = false);

// For JSON text shown on a terminal: C1 controls and bidirectional controls
// inside strings written as \u escapes (still the same JSON), so machine
// output piped to a terminal is as safe as the tables. C0 controls are
// escaped by any JSON writer already.
std::string JsonForTerminal(std::string_view json);

}  // namespace daybook
