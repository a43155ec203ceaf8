#include "core/inventory/target.h"

#include <algorithm>
#include <cctype>

#include "core/base/glob.h"
#include "core/base/strings.h"

namespace daybook::inventory {
namespace {

bool IsAtomChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         c == '*' || c == '?' || c == '[' || c == ']' || c == ':';
}

// Recursive descent over the grammar in target.h. Stops at the first error:
// later errors in a malformed expression would only be noise.
class TargetParser {
 public:
  TargetParser(std::string_view text, SourcePos pos, Diagnostics& diags)
      : text_(text), pos_(pos), diags_(diags) {}

  std::optional<TargetExpr> Parse() {
    SkipSpaces();
    if (i_ == text_.size()) {
      Fail(0, "empty target expression (use \"all\" to select every host)");
      return std::nullopt;
    }
    std::optional<TargetExpr> expr = ParseExpr();
    SkipSpaces();
    if (expr && i_ < text_.size()) {
      Fail(i_, "unexpected " + Quoted(text_.substr(i_, 1)) + " in target expression");
      return std::nullopt;
    }
    return expr;
  }

 private:
  std::optional<TargetExpr> ParseExpr() { return ParseList(',', TargetExpr::Kind::kOr); }
  std::optional<TargetExpr> ParseTerm() { return ParseList('&', TargetExpr::Kind::kAnd); }

  std::optional<TargetExpr> ParseList(char op, TargetExpr::Kind kind) {
    size_t start = i_;
    std::optional<TargetExpr> first = op == ',' ? ParseTerm() : ParseFactor();
    if (!first) return std::nullopt;
    TargetExpr list{kind, "", static_cast<int>(start), {std::move(*first)}};
    for (SkipSpaces(); i_ < text_.size() && text_[i_] == op; SkipSpaces()) {
      ++i_;
      std::optional<TargetExpr> next = op == ',' ? ParseTerm() : ParseFactor();
      if (!next) return std::nullopt;
      list.operands.push_back(std::move(*next));
    }
    if (list.operands.size() == 1) return std::move(list.operands[0]);
    return list;
  }

  std::optional<TargetExpr> ParseFactor() {
    SkipSpaces();
    size_t start = i_;
    if (i_ == text_.size()) {
      Fail(i_, "target expression ends where a host, glob or group:NAME was expected");
      return std::nullopt;
    }
    char c = text_[i_];
    if (c == '!') {
      ++i_;
      std::optional<TargetExpr> operand = ParseFactor();
      if (!operand) return std::nullopt;
      return TargetExpr{TargetExpr::Kind::kNot, "", static_cast<int>(start), {std::move(*operand)}};
    }
    if (c == '(') {
      ++i_;
      std::optional<TargetExpr> inner = ParseExpr();
      if (!inner) return std::nullopt;
      SkipSpaces();
      if (i_ == text_.size() || text_[i_] != ')') {
        Fail(start, "unbalanced \"(\" in target expression");
        return std::nullopt;
      }
      ++i_;
      return inner;
    }
    return ParseAtom();
  }

  std::optional<TargetExpr> ParseAtom() {
    size_t start = i_;
    while (i_ < text_.size() && IsAtomChar(text_[i_])) ++i_;
    std::string_view word = text_.substr(start, i_ - start);
    int offset = static_cast<int>(start);
    if (word.empty()) {
      Fail(start, "unexpected " + Quoted(text_.substr(start, 1)) +
                      " in target expression: expected a host, glob or group:NAME");
      return std::nullopt;
    }
    if (word == "all") return TargetExpr{TargetExpr::Kind::kAll, "", offset, {}};
    if (StartsWith(word, "group:")) {
      std::string_view group = word.substr(6);
      if (!IsValidName(group)) {
        Fail(start, "bad group name " + Quoted(group) + " in target expression");
        return std::nullopt;
      }
      return TargetExpr{TargetExpr::Kind::kGroup, std::string(group), offset, {}};
    }
    if (word.find(':') != std::string_view::npos) {
      Fail(start, "unknown selector " + Quoted(word) + " in target expression (only group:NAME has a prefix)");
      return std::nullopt;
    }
    if (IsGlob(word)) return TargetExpr{TargetExpr::Kind::kGlob, std::string(word), offset, {}};
    if (!IsValidName(word)) {
      Fail(start, "bad host name " + Quoted(word) + " in target expression");
      return std::nullopt;
    }
    return TargetExpr{TargetExpr::Kind::kHost, std::string(word), offset, {}};
  }

  void SkipSpaces() {
    while (i_ < text_.size() && text_[i_] == ' ') ++i_;
  }
  void Fail(size_t offset, std::string message) {
    diags_.Error(pos_.Shifted(static_cast<int>(offset)), std::move(message));
  }

  std::string_view text_;
  size_t i_ = 0;
  SourcePos pos_;
  Diagnostics& diags_;
};

using HostSet = std::vector<bool>;  // indexed like inventory.hosts

// Evaluates with set operations; reports atoms that match nothing.
class TargetEvaluator {
 public:
  TargetEvaluator(const Inventory& inventory, SourcePos pos, Diagnostics& diags)
      : inventory_(inventory), pos_(pos), diags_(diags) {}

  HostSet Eval(const TargetExpr& expr) {
    const size_t n = inventory_.hosts.size();
    switch (expr.kind) {
      case TargetExpr::Kind::kAll:
        return HostSet(n, true);
      case TargetExpr::Kind::kHost:
      case TargetExpr::Kind::kGlob:
        return MatchNames(expr);
      case TargetExpr::Kind::kGroup:
        return MatchGroup(expr);
      case TargetExpr::Kind::kNot: {
        HostSet set = Eval(expr.operands[0]);
        set.flip();
        return set;
      }
      case TargetExpr::Kind::kAnd: {
        HostSet set(n, true);
        for (const TargetExpr& operand : expr.operands) {
          HostSet other = Eval(operand);
          for (size_t i = 0; i < n; ++i) set[i] = set[i] && other[i];
        }
        return set;
      }
      case TargetExpr::Kind::kOr:
        return EvalUnionWithExclusions(expr);
    }
    return HostSet(n, false);
  }

 private:
  HostSet EvalUnionWithExclusions(const TargetExpr& expr) {
    const size_t n = inventory_.hosts.size();
    HostSet included(n, false), excluded(n, false);
    bool any_positive = false;
    for (const TargetExpr& term : expr.operands) {
      bool exclusion = term.kind == TargetExpr::Kind::kNot;
      HostSet set = Eval(exclusion ? term.operands[0] : term);
      HostSet& into = exclusion ? excluded : included;
      for (size_t i = 0; i < n; ++i) into[i] = into[i] || set[i];
      any_positive = any_positive || !exclusion;
    }
    if (!any_positive) included.assign(n, true);
    for (size_t i = 0; i < n; ++i) included[i] = included[i] && !excluded[i];
    return included;
  }

  HostSet MatchNames(const TargetExpr& expr) {
    HostSet set(inventory_.hosts.size(), false);
    bool any = false;
    for (size_t i = 0; i < inventory_.hosts.size(); ++i) {
      const std::string& name = inventory_.hosts[i].name;
      bool hit = expr.kind == TargetExpr::Kind::kGlob ? GlobMatch(expr.name, name) : name == expr.name;
      set[i] = hit;
      any = any || hit;
    }
    if (!any) {
      std::string message = expr.kind == TargetExpr::Kind::kGlob
                                ? "pattern " + Quoted(expr.name) + " matches no host"
                                : "unknown host " + Quoted(expr.name);
      if (expr.kind == TargetExpr::Kind::kHost) AddSuggestion(message, expr.name, HostNames());
      diags_.Error(pos_.Shifted(expr.offset), message);
    }
    return set;
  }

  HostSet MatchGroup(const TargetExpr& expr) {
    HostSet set(inventory_.hosts.size(), false);
    const Group* group = inventory_.FindGroup(expr.name);
    if (group == nullptr) {
      std::vector<std::string> names;
      for (const Group& g : inventory_.groups) names.push_back(g.name);
      std::string message = "unknown group " + Quoted(expr.name);
      AddSuggestion(message, expr.name, names);
      diags_.Error(pos_.Shifted(expr.offset), message);
      return set;
    }
    for (size_t i = 0; i < inventory_.hosts.size(); ++i) {
      const std::vector<std::string>& groups = inventory_.hosts[i].groups;
      set[i] = std::find(groups.begin(), groups.end(), expr.name) != groups.end();
    }
    return set;
  }

  std::vector<std::string> HostNames() const {
    std::vector<std::string> names;
    for (const Host& host : inventory_.hosts) names.push_back(host.name);
    return names;
  }

  static void AddSuggestion(std::string& message, const std::string& word,
                            const std::vector<std::string>& candidates) {
    if (std::optional<std::string> guess = ClosestMatch(word, candidates)) {
      message += "; did you mean " + Quoted(*guess) + "?";
    }
  }

  const Inventory& inventory_;
  SourcePos pos_;
  Diagnostics& diags_;
};

}  // namespace

std::optional<TargetExpr> ParseTarget(std::string_view text, SourcePos value_pos, Diagnostics& diags) {
  return TargetParser(text, value_pos, diags).Parse();
}

std::optional<std::vector<std::string>> ResolveTarget(const TargetExpr& expr, std::string_view text,
                                                      const Inventory& inventory, SourcePos value_pos,
                                                      Diagnostics& diags) {
  Diagnostics local(diags.path());
  HostSet set = TargetEvaluator(inventory, value_pos, local).Eval(expr);
  bool failed = local.has_errors();
  for (Diagnostic& d : local.Take()) diags.Error(d.pos, std::move(d.message));
  if (failed) return std::nullopt;
  std::vector<std::string> hosts;
  for (size_t i = 0; i < set.size(); ++i) {
    if (set[i]) hosts.push_back(inventory.hosts[i].name);
  }
  if (hosts.empty()) {
    diags.Error(value_pos, "target expression " + Quoted(text) + " matches no host");
    return std::nullopt;
  }
  return hosts;
}

std::optional<std::vector<std::string>> SelectHosts(std::string_view text, const Inventory& inventory,
                                                    SourcePos value_pos, Diagnostics& diags) {
  std::optional<TargetExpr> expr = ParseTarget(text, value_pos, diags);
  if (!expr) return std::nullopt;
  return ResolveTarget(*expr, text, inventory, value_pos, diags);
}

}  // namespace daybook::inventory
