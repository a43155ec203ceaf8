#include "agent/answer_binding.h"

#include "core/base/strings.h"
#include "core/journal/agent_binding.h"
#include "core/journal/canonical.h"
#include "core/schema/json_reader.h"

namespace daybook::agent {

using protocol::Json;

Result<AnswerBinding> ReadAnswerBinding(const Json& request) {
  Result<schema::JsonReader> r = schema::JsonReader::Of(request, "request");
  if (!r) return std::move(r).error();
  Result<std::string> intervention = r->String("intervention"), host = r->String("host"), begin = r->String("begin");
  if (!intervention) return std::move(intervention).error();
  if (!host) return std::move(host).error();
  if (!begin) return std::move(begin).error();
  if (!IsValidName(*intervention)) return MakeError(ErrorCode::kInvalidInput, "bad intervention id");
  if (host->empty() || host->size() > 253) return MakeError(ErrorCode::kInvalidInput, "bad host name");
  // The begin record must be canonical and open this very intervention.
  Result<Json> record = journal::ParseCanonical(*begin);
  if (!record) return MakeError(ErrorCode::kInvalidInput, "begin: " + record.error().message);
  Result<schema::JsonReader> b = schema::JsonReader::Of(*record, "begin");
  if (!b) return std::move(b).error();
  Result<std::string> type = b->String("type"), id = b->String("intervention");
  if (!type || *type != "intervention.begin" || !id || *id != *intervention) {
    return MakeError(ErrorCode::kInvalidInput, "begin: not the intervention.begin record of " + Quoted(*intervention));
  }
  return AnswerBinding{*intervention, *host, journal::BeginHash(*begin)};
}

Json BindAnswer(Json answer, const AnswerBinding& binding) {
  answer["intervention"] = binding.intervention;
  answer["host"] = binding.host;
  answer["begin"] = binding.begin;
  return answer;
}

bool AsksForNothing(const Json& apply) {
  auto patch = apply.find("patch");
  auto deploys = apply.find("deploys");
  bool has_patch = patch != apply.end() && patch->is_object();
  bool has_deploys = deploys != apply.end() && deploys->is_array() && !deploys->empty();
  return !has_patch && !has_deploys;
}

}  // namespace daybook::agent
