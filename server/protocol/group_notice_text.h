// Reads the human-readable text of a group notice (MsgType 10000, or a 10002 that is not
// XML), as WeChat writes it in Chinese and in English:
//   你将"柚子"移出了群聊 / "管理员"邀请你和"柚子"加入了群聊 / "管理员"修改群名为“新的群”
//   "柚子"通过扫描"管理员"分享的二维码加入群聊 / "柚子"退出了群聊 / "柚子" 撤回了一条消息
// Names are the quoted display names; "你"/"You" outside quotes is the account itself.
#ifndef WXBRIDGE_SERVER_PROTOCOL_GROUP_NOTICE_TEXT_H_
#define WXBRIDGE_SERVER_PROTOCOL_GROUP_NOTICE_TEXT_H_

#include <string_view>

#include "wxbridge/v1/events.pb.h"

namespace wxbridge::protocol {

// Sets kind (OTHER when the text is not recognised), actor_name/actor_is_self,
// member_names/members_include_self and new_name; leaves every other field alone.
void ReadGroupNoticeText(std::string_view text, wxbridge::v1::GroupChange* change);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_GROUP_NOTICE_TEXT_H_
