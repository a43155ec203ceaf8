// Fuzz target: frame decoding as both sides do it. The first byte picks
// how the rest is cut into reads (the network chooses that too); every
// decoded frame is re-encoded, and opened as a signed answer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/protocol/frame.h"
#include "core/protocol/messages.h"

using namespace daybook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const crypto::Ed25519Key key = *crypto::Ed25519Key::Generate();
  size_t piece = static_cast<size_t>(data[0]) + 1;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  protocol::FrameDecoder decoder(1 << 16);
  for (size_t at = 0; at < bytes.size(); at += piece) {
    decoder.Feed(bytes.substr(at, piece));
    while (std::optional<Result<protocol::Json>> frame = decoder.Next()) {
      if (!*frame) return 0;  // final for the stream
      (void)protocol::EncodeFrame(**frame);
      (void)protocol::OpenResponse(**frame, key.public_key());
      (void)protocol::NegotiateVersion(**frame);
      (void)protocol::EncodeFrame(protocol::ErrorMessage("bad_frame", std::string(bytes)));
    }
  }
  return 0;
}
