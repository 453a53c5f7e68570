// Types a contact frame (MsgType 2, or 101 for the account itself): the
// contact's fields sit at the frame's top level.
#ifndef WXBRIDGE_SERVER_PROTOCOL_CONTACT_DECODER_H_
#define WXBRIDGE_SERVER_PROTOCOL_CONTACT_DECODER_H_

#include "server/protocol/json_fields.h"
#include "wxbridge/v1/contact.pb.h"

namespace wxbridge::protocol {

wxbridge::v1::Contact DecodeContact(const Json& frame, bool is_self);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_CONTACT_DECODER_H_
