#include "agent/session.h"

#include <algorithm>

#include "agent/answer_binding.h"
#include "agent/intervention_session.h"
#include "agent/login_watch.h"
#include "agent/requests.h"
#include "core/base/strings.h"
#include "core/base/text.h"
#include "core/base/version.h"
#include "core/journal/agent_binding.h"
#include "core/journal/canonical.h"
#include "core/journal/observation.h"
#include "core/protocol/messages.h"
#include "core/schema/json_reader.h"

namespace daybook::agent {
namespace {

// What the log line says about an answer beyond its type.
std::string Outcome(const protocol::Json& response) {
  using schema::MemberOr;
  using schema::StringOr;
  const std::string type = StringOr(response, "type");
  if (type == "error") return "(" + StringOr(response, "code", "?") + ")";
  if (type == "apply.result") {
    std::string out;
    if (MemberOr(response, "patch").is_object()) out += " patch " + StringOr(MemberOr(response, "patch"), "status", "?");
    const protocol::Json& deploys = MemberOr(response, "deploys");
    for (size_t i = 0; deploys.is_array() && i < deploys.size(); ++i) {
      std::string one = Outcome(deploys[i]);
      if (one.size() >= 2) out += " " + one.substr(1, one.size() - 2);
    }
    if (StringOr(response, "reboot") == "scheduled") out += " reboot";
    return "(" + StringOr(response, "status", "?") + ":" + out + ")";
  }
  if (type == "deploy.result") {
    std::string to = StringOr(response, "to", "-").substr(0, 12);
    return "(" + StringOr(response, "name", "?") + " " + to + " " + StringOr(response, "status", "?") + ")";
  }
  return "";
}

// The session's log line is bounded, and request types (client-chosen
// text) are escaped so they cannot forge log lines.
void AppendSummary(std::string& summary, const std::string& piece) {
  constexpr size_t kMaxSummary = 4096;
  if (summary.size() >= kMaxSummary) return;
  if (!summary.empty()) summary += ",";
  summary += TerminalSafe(piece);
  if (summary.size() >= kMaxSummary) summary = Utf8Head(summary, kMaxSummary);
}

}  // namespace

bool ChangesHost(const protocol::Json& request) {
  const std::string type = schema::StringOr(request, "type");
  return type == "apply" || type == "deploy.rollback" || type == "results.ack" ||
         (type == "facts" && request.is_object() && request.contains("intervention"));
}

namespace {

// What the access log says of a request: who sent it (peer, SSH key), what,
// for which intervention, and whose signature its begin record carries
// (named only when that signature holds).
protocol::Json RequestEntry(const Peer& peer, const protocol::Json& request, const Result<BeginSigner>& signer) {
  // Client-chosen text, bounded (the log is read by people and collected).
  auto bounded = [](const std::string& text) { return Utf8Head(TerminalSafe(text), 256); };
  protocol::Json entry = {{"peer", peer.address}, {"key", peer.key}, {"type", schema::StringOr(request, "type")},
                          {"intervention", bounded(schema::StringOr(request, "intervention"))}};
  // The signer as checked (begin_check.h); what an unchecked begin claims
  // is kept apart, so no line names a person who did not sign.
  if (signer) {
    entry["principal"] = bounded(signer->principal);
    entry["operator"] = signer->fingerprint;
  } else if (Result<protocol::Json> begin = journal::ParseCanonical(schema::StringOr(request, "begin")); begin) {
    entry["claimed_principal"] = bounded(schema::StringOr(*begin, "principal"));
  }
  return entry;
}

std::string ResultOf(const protocol::Json& answer) {
  if (schema::StringOr(answer, "type") == "error") return "error:" + schema::StringOr(answer, "code", "?");
  return schema::StringOr(answer, "status", "ok");
}

// What would refuse a change before anything is done: its fields, what it
// binds, the begin record's signature (the same checks the request meets
// again when it is carried out). A request refused here is logged with its
// refusal and never "started", so a malformed one uses up no intervention.
std::optional<protocol::Json> Precheck(const protocol::Json& request, const Result<BeginSigner>& signer) {
  const std::string type = schema::StringOr(request, "type");
  auto bad = [](const std::string& message) { return protocol::ErrorMessage("bad_request", message); };
  if (type == "apply") {
    if (Result<ApplyRequest> apply = ParseApplyRequest(request); !apply) return bad(apply.error().message);
    if (AsksForNothing(request)) return bad("apply: asks for nothing (no patch, no deploy)");
  }
  if (type == "deploy.rollback") {
    if (Result<RollbackRequest> rollback = ParseRollbackRequest(request); !rollback) return bad(rollback.error().message);
  }
  if (type != "results.ack") {
    if (Result<AnswerBinding> binding = ReadAnswerBinding(request); !binding) return bad(type + ": " + binding.error().message);
  }
  if (!signer) return protocol::ErrorMessage("refused", type + ": " + signer.error().message);
  return std::nullopt;
}

// The "started" line of a change, written before it is made: once per
// intervention for an apply or rollback (kInvalidInput when it already ran
// here: refused), kFailed when it cannot be written (nothing is done).
Status RecordStart(const SessionContext& context, const Peer& peer, const protocol::Json& request,
                   const Result<BeginSigner>& signer) {
  if (context.access == nullptr) return MakeError(ErrorCode::kFailed, "this request cannot be recorded: this agent keeps no access log");
  protocol::Json entry = RequestEntry(peer, request, signer);
  entry["result"] = "started";
  const std::string type = schema::StringOr(request, "type");
  if (type != "apply" && type != "deploy.rollback") {
    Status appended = context.access->Append("request", std::move(entry));
    if (!appended) return MakeError(ErrorCode::kFailed, "this request cannot be recorded: " + appended.error().message);
    return appended;
  }
  const std::string id = entry["intervention"];
  Status once = context.access->AppendStartOnce(id, std::move(entry));
  if (!once && once.error().code != ErrorCode::kInvalidInput) {
    return MakeError(ErrorCode::kFailed, "this request cannot be recorded: " + once.error().message);
  }
  return once;
}

// access.list {after}: the log's lines after that seq, as stored, the
// host's login records read first. `after` says the collector holds the
// lines up to it (retention may cut them now: access_log.h).
protocol::Json AccessList(const SessionContext& context, const protocol::Json& request) {
  if (context.access == nullptr) return protocol::ErrorMessage("unknown_type", "this agent keeps no access log");
  const protocol::Json& after = schema::MemberOr(request, "after");
  if (!after.is_number_integer() || after.get<int64_t>() < -1) {
    return protocol::ErrorMessage("bad_request", "access.list.after: expected an integer, -1 or more");
  }
  protocol::Json answer = {{"type", "access.list"}};
  if (context.logins != nullptr) {
    if (Result<int> polled = context.logins->Poll(false); !polled) answer["logins_error"] = TerminalSafe(polled.error().message);
  }
  Result<AccessLog::Lines> lines = context.access->After(after.get<int64_t>());
  if (!lines) return protocol::ErrorMessage("access_log", lines.error().message);
  if (Status marked = context.access->MarkCollected(after.get<int64_t>()); !marked) {
    answer["mark_error"] = TerminalSafe(marked.error().message);
  }
  answer["entries"] = std::move(lines->lines);
  answer["next_seq"] = lines->next_seq;
  if (lines->more) answer["more"] = true;
  answer["logins"] = context.logins != nullptr;
  return answer;
}

}  // namespace

protocol::Json Answer(const SessionContext& context, InterventionSession* deploy, const protocol::Json& request) {
  const std::string type = schema::StringOr(request, "type");
  if (type == "hello") {
    std::optional<int> version = protocol::NegotiateVersion(request);
    if (!version) return protocol::ErrorMessage("unsupported_protocol", "this agent speaks protocol 1");
    return {{"type", "hello"}, {"protocol", *version}, {"agent", std::string("daybook-agent ") + kVersion}};
  }
  if (type == "facts") {
    protocol::Json answer = {{"type", "facts"}, {"facts", context.facts()}};
    if (!request.contains("intervention")) return answer;
    // Facts asked within an intervention (bootstrap: "this agent runs
    // here, this version") are bound to it, so the journal can keep them
    // as the host's signed "ok" (core/journal/agent_binding.h).
    Result<AnswerBinding> binding = ReadAnswerBinding(request);
    if (!binding) return protocol::ErrorMessage("bad_request", binding.error().message);
    // Only a bootstrap's: facts are no proof that a push or rollback ran.
    Result<protocol::Json> begin = journal::ParseCanonical(schema::StringOr(request, "begin"));
    if (!begin || journal::BeginAnswerType(*begin) != "facts") {
      return protocol::ErrorMessage("bad_request", "facts are bound only to a bootstrap's intervention");
    }
    // A bootstrap's "ok" is the agent's word too: only for an operator's.
    if (context.interventions == nullptr) return protocol::ErrorMessage("refused", "facts: this agent binds no answer");
    if (Result<BeginSigner> signer = CheckRequestBegin(*context.interventions, request); !signer) {
      return protocol::ErrorMessage("refused", "facts: " + signer.error().message);
    }
    answer["status"] = "ok";
    return BindAnswer(std::move(answer), *binding);
  }
  if (type == "access.list") return AccessList(context, request);
  if (deploy != nullptr) {
    if (std::optional<protocol::Json> answer = deploy->Answer(request)) return *answer;
  }
  return protocol::ErrorMessage("unknown_type", "unknown message type " + Quoted(type));
}

protocol::Json WithObservation(const Clock& clock, const protocol::Json& request, protocol::Json answer) {
  if (!request.is_object() || !request.contains("observe")) return answer;
  const protocol::Json& observe = request["observe"];
  bool well_formed = observe.is_string() && observe.get<std::string>().size() == 32 &&
                     observe.get<std::string>().find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!well_formed) return protocol::ErrorMessage("bad_request", "observe: expected 32 lowercase hex digits");
  const std::string type = schema::StringOr(answer, "type");
  bool observable = std::any_of(std::begin(journal::kObservedAnswerTypes), std::end(journal::kObservedAnswerTypes),
                                [&](const char* t) { return type == t; });
  // Only a plain reading (or the access log, collected into the journal
  // the same way): never an answer bound to an intervention.
  if (type == "access.list") observable = true;
  if (!observable || answer.contains("intervention")) return answer;
  // The journal the controller will keep it in (its checkpoint origin), so
  // the answer is good for that journal alone.
  const protocol::Json& journal_origin = schema::MemberOr(request, "journal");
  bool origin_ok = journal_origin.is_string() && !journal_origin.get<std::string>().empty() &&
                   journal_origin.get<std::string>().size() <= 256 && IsValidUtf8(journal_origin.get<std::string>());
  if (!origin_ok) return protocol::ErrorMessage("bad_request", "journal: expected the journal's origin (1 to 256 bytes of UTF-8)");
  answer["observe"] = observe;
  answer["journal"] = journal_origin;
  answer["observed_at"] = journal::FormatTimestamp(clock.Now());
  return answer;
}

protocol::Json SafeAnswer(const SessionContext& context, InterventionSession* deploy, const protocol::Json& request,
                          const std::function<void(const std::string&)>& internal_error) {
  std::string what;
  try {
    return Answer(context, deploy, request);
  } catch (const std::exception& e) {
    what = ReadableText(e.what());
  } catch (...) {
    what = "unknown exception";
  }
  if (internal_error) internal_error(what);
  return protocol::ErrorMessage("internal", "the agent could not answer this request: " + what);
}

// A change: checked, recorded as started (fail closed: no record, no
// change), carried out, and recorded with its result before the answer goes
// out. A refusal is recorded too, and never started.
protocol::Json AnswerChange(const SessionContext& context, InterventionSession* deploy, const Peer& peer,
                            const protocol::Json& request, const std::function<void(const std::string&)>& internal_error) {
  // Who signed its begin record, checked once here for the log and the
  // checks before it starts (carrying it out checks again, at that point).
  const Result<BeginSigner> signer = context.interventions != nullptr
                                         ? CheckRequestBegin(*context.interventions, request)
                                         : Result<BeginSigner>(MakeError(ErrorCode::kFailed, "this agent binds no answer"));
  auto record = [&](const protocol::Json& response) {
    if (context.access == nullptr) return;
    protocol::Json entry = RequestEntry(peer, request, signer);
    entry["result"] = ResultOf(response);
    if (Status kept = context.access->Append("request", std::move(entry)); !kept && internal_error) {
      internal_error("access log: " + kept.error().message);
    }
  };
  if (std::optional<protocol::Json> refusal = Precheck(request, signer)) {
    record(*refusal);
    return *refusal;
  }
  if (Status started = RecordStart(context, peer, request, signer); !started) {
    bool replayed = started.error().code == ErrorCode::kInvalidInput;
    protocol::Json response = protocol::ErrorMessage(replayed ? "refused" : "access_log", "not carried out: " + started.error().message);
    if (replayed) record(response);
    return response;
  }
  protocol::Json response = SafeAnswer(context, deploy, request, internal_error);
  record(response);
  return response;
}

std::string ServeSession(const SessionContext& context, transport::Stream& stream,
                         const std::function<void(const std::string&)>& internal_error, const Peer& peer) {
  protocol::FrameDecoder decoder(context.max_frame);
  std::unique_ptr<Clock> system_clock = context.clock == nullptr ? MakeSystemClock() : nullptr;
  const Clock& clock = context.clock != nullptr ? *context.clock : *system_clock;
  std::unique_ptr<InterventionSession> deploy;
  if (context.interventions != nullptr) deploy = std::make_unique<InterventionSession>(*context.interventions);
  std::string summary;
  for (;;) {
    while (std::optional<Result<protocol::Json>> frame = decoder.Next()) {
      if (!*frame) {
        // The stream cannot be resynchronised: answer, then end the session.
        protocol::Json error = protocol::ErrorMessage("bad_frame", frame->error().message);
        (void)stream.Write(protocol::EncodeFrame(protocol::SignResponse(error, *context.host_key)));
        return summary + (summary.empty() ? "" : ",") + "error: " + frame->error().message;
      }
      protocol::Json response = ChangesHost(**frame)
                                    ? AnswerChange(context, deploy.get(), peer, **frame, internal_error)
                                    : WithObservation(clock, **frame, SafeAnswer(context, deploy.get(), **frame, internal_error));
      std::string type = schema::StringOr(**frame, "type", "?");
      // pack.data comes by the hundred: only its errors make the log line.
      if (type != "pack.data" || schema::StringOr(response, "type") == "error") {
        AppendSummary(summary, type + Outcome(response));
      }
      std::string frame_bytes = protocol::EncodeFrame(protocol::SignResponse(response, *context.host_key));
      // The controller reads frames of at most kDefaultMaxFrame: a bigger
      // answer would end the session with no word of why. Said instead, in
      // an answer that fits (bounded drift lists make this a last resort).
      if (frame_bytes.size() > protocol::kDefaultMaxFrame) {
        protocol::Json error = protocol::ErrorMessage(
            "answer_too_large", "the answer to " + Quoted(type) + " is " + std::to_string(frame_bytes.size()) +
                                    " bytes, more than a frame may carry (" + std::to_string(protocol::kDefaultMaxFrame) + ")");
        AppendSummary(summary, "error: answer too large");
        frame_bytes = protocol::EncodeFrame(protocol::SignResponse(error, *context.host_key));
      }
      Status written = stream.Write(frame_bytes);
      // A reboot the answer announced runs now, even if the controller went
      // away: the result is already on disk.
      if (std::string after = deploy ? deploy->AfterAnswer() : ""; !after.empty()) AppendSummary(summary, after);
      if (!written) return summary + ",error: " + written.error().message;
    }
    Result<std::string> bytes = stream.Read(1 << 16, context.idle_timeout);
    if (!bytes) return summary + (summary.empty() ? "" : ",") + "error: " + bytes.error().message;
    if (bytes->empty()) return summary.empty() ? "no request" : summary;
    decoder.Feed(*bytes);
  }
}

}  // namespace daybook::agent
