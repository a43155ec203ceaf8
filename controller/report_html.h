// The report as one self-contained HTML page (issue 18): no script, no
// network, no external asset; inline CSS and SVG charts; printable. Every
// figure comes from the report document (report_model.h) and carries a
// `data-figure` attribute naming it, so a test (or an auditor's script)
// can read the page back. All text from the journal is HTML-escaped.
#pragma once

#include <string>

#include "core/journal/canonical.h"

namespace daybook::controller {

// `report`: BuildReport's document.
std::string RenderReportHtml(const journal::Json& report);

// & < > " ' as entities: for text and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace daybook::controller
