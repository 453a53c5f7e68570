// Encodes a validated Command as the gateway's request envelope:
//   {"code":N,"authKey":"…","msgId":N,"cmdId":"…","data":{…}}
// Strict JSON (never trailing commas), one copy of data_json.
#ifndef WXBRIDGE_SERVER_PROTOCOL_FRAME_ENCODER_H_
#define WXBRIDGE_SERVER_PROTOCOL_FRAME_ENCODER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "server/protocol/command_builder.h"

namespace wxbridge::protocol {

// The bridge's correlation stamps for one request frame.
struct FrameStamp {
  uint64_t msg_id = 0;  // unique, non-zero
  std::string cmd_id;   // unique
};

std::string EncodeFrame(const Command& command, std::string_view auth_key, const FrameStamp& stamp);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_FRAME_ENCODER_H_
