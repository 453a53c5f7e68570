// Decodes any inbound gateway text into one typed Event. Never throws, never loses the
// frame: whatever does not parse becomes an `unrecognized` payload with the raw text.
// Seq and received_at are left for the event log to set.
#ifndef WXBRIDGE_SERVER_PROTOCOL_FRAME_DECODER_H_
#define WXBRIDGE_SERVER_PROTOCOL_FRAME_DECODER_H_

#include <cstddef>
#include <string_view>

#include "wxbridge/v1/events.pb.h"

namespace wxbridge::protocol {

struct DecodeLimits {
  // Deeper JSON nesting is refused as UNRECOGNIZED_REASON_TOO_DEEP (guards the parser's
  // recursion against hostile input).
  std::size_t max_depth = 64;
};

// A text frame.
wxbridge::v1::Event DecodeFrame(std::string_view text, const DecodeLimits& limits = {});

// A binary frame: the gateway speaks text only, so it is kept as unrecognized.
wxbridge::v1::Event DecodeBinaryFrame(std::string_view bytes);

// The Subscribe filter kind of an event's payload.
wxbridge::v1::EventKind KindOf(const wxbridge::v1::Event& event);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_FRAME_DECODER_H_
