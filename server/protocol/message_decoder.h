// Types the WeChat message pushes (MsgType 1, 3, 48, 49, 37, 10000, 10002): the
// shared envelope (MessageHeader, with the group sender split out) and each
// message's Content.
#ifndef WXBRIDGE_SERVER_PROTOCOL_MESSAGE_DECODER_H_
#define WXBRIDGE_SERVER_PROTOCOL_MESSAGE_DECODER_H_

#include <cstdint>
#include <string_view>

#include "server/protocol/json_fields.h"
#include "wxbridge/v1/events.pb.h"

namespace wxbridge::protocol {

bool IsMessageType(int32_t msg_type);

// Sets the event's payload for a message MsgType (IsMessageType must hold);
// `frame_text` is the text `frame` was parsed from (exact ids are read from it).
void DecodeMessage(const Json& frame, std::string_view frame_text, int32_t msg_type,
                   wxbridge::v1::Event* event);

// The group change an event carries: a MsgType 10002's, or a 10000 notice's (see
// SystemNotice.group_change); nullptr when it carries none.
const wxbridge::v1::GroupChange* GroupChangeOf(const wxbridge::v1::Event& event);

// GroupChangeOf(event) with the envelope filled in (a 10000 notice's own header), as a
// call's answer holds it; empty when the event carries none.
wxbridge::v1::GroupChange GroupChangeWithHeader(const wxbridge::v1::Event& event);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_MESSAGE_DECODER_H_
