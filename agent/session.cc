#include "agent/session.h"

#include "core/base/version.h"
#include "core/protocol/messages.h"

namespace daybook::agent {

protocol::Json Answer(const SessionContext& context, const protocol::Json& request) {
  const std::string type = request.value("type", "");
  if (type == "hello") {
    std::optional<int> version = protocol::NegotiateVersion(request);
    if (!version) return protocol::ErrorMessage("unsupported_protocol", "this agent speaks protocol 1");
    return {{"type", "hello"}, {"protocol", *version}, {"agent", std::string("daybook-agent ") + kVersion}};
  }
  if (type == "facts") return {{"type", "facts"}, {"facts", context.facts()}};
  return protocol::ErrorMessage("unknown_type", "unknown message type \"" + type + "\"");
}

std::string ServeSession(const SessionContext& context, transport::Stream& stream) {
  protocol::FrameDecoder decoder(context.max_frame);
  std::string summary;
  for (;;) {
    while (std::optional<Result<protocol::Json>> frame = decoder.Next()) {
      if (!*frame) {
        // The stream cannot be resynchronised: answer, then end the session.
        protocol::Json error = protocol::ErrorMessage("bad_frame", frame->error().message);
        (void)stream.Write(protocol::EncodeFrame(protocol::SignResponse(error, *context.host_key)));
        return summary + (summary.empty() ? "" : ",") + "error: " + frame->error().message;
      }
      protocol::Json response = Answer(context, **frame);
      summary += (summary.empty() ? "" : ",") + (*frame)->value("type", std::string("?"));
      if (Status s = stream.Write(protocol::EncodeFrame(protocol::SignResponse(response, *context.host_key))); !s) {
        return summary + ",error: " + s.error().message;
      }
    }
    Result<std::string> bytes = stream.Read(1 << 16, context.idle_timeout);
    if (!bytes) return summary + (summary.empty() ? "" : ",") + "error: " + bytes.error().message;
    if (bytes->empty()) return summary.empty() ? "no request" : summary;
    decoder.Feed(*bytes);
  }
}

}  // namespace daybook::agent
