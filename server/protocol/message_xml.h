// Reads the XML that WeChat puts in a message's Content into the typed message.
// Each reader returns false on malformed XML and then leaves the message
// untouched; the raw frame is kept by the caller either way.
#ifndef WXBRIDGE_SERVER_PROTOCOL_MESSAGE_XML_H_
#define WXBRIDGE_SERVER_PROTOCOL_MESSAGE_XML_H_

#include <string_view>

#include "wxbridge/v1/events.pb.h"

namespace wxbridge::protocol {

// <msg><img aeskey cdnthumburl … md5/></msg>
bool ReadImageXml(std::string_view xml, wxbridge::v1::ImageMessage* image);
// <msg><location x y scale label poiname/></msg>
bool ReadLocationXml(std::string_view xml, wxbridge::v1::LocationMessage* location);
// <msg><appmsg
// appid><title/><des/><type/><url/><thumburl/><appattach>…</appattach>
bool ReadAppXml(std::string_view xml, wxbridge::v1::AppMessage* app);
// <msg fromusername encryptusername fromnickname content ticket scene opcode
// …/>
bool ReadFriendRequestXml(std::string_view xml, wxbridge::v1::FriendRequest* request);
// <sysmsg …>: sets text (the revoke notice's <replacemsg>, else the plain
// text), member_wx_ids (every <username>), and for type="revokemsg" kind
// MESSAGE_REVOKED and recalled (session, exact msgid/newmsgid, replacemsg).
bool ReadGroupChangeXml(std::string_view xml, wxbridge::v1::GroupChange* change);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_MESSAGE_XML_H_
