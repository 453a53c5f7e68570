// Types the WeChat message pushes (MsgType 1, 3, 48, 49, 37, 10000, 10002): the
// shared envelope (MessageHeader, with the group sender split out) and each
// message's Content.
#ifndef WXBRIDGE_SERVER_PROTOCOL_MESSAGE_DECODER_H_
#define WXBRIDGE_SERVER_PROTOCOL_MESSAGE_DECODER_H_

#include <cstdint>

#include "server/protocol/json_fields.h"
#include "wxbridge/v1/events.pb.h"

namespace wxbridge::protocol {

bool IsMessageType(int32_t msg_type);

// Sets the event's payload for a message MsgType (IsMessageType must hold).
void DecodeMessage(const Json& frame, int32_t msg_type, wxbridge::v1::Event* event);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_MESSAGE_DECODER_H_
