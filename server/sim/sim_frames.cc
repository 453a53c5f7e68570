#include "server/sim/sim_frames.h"

#include <ctime>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/sim/sim_ids.h"

namespace wxbridge::sim {
namespace {

using Frame = nlohmann::ordered_json;

Frame Envelope(const FrameIds &ids, int msg_type, const std::string &account) {
  Frame frame;
  frame["MsgId"] = ids.msg_id;
  if (ids.new_msg_id) {
    if (*ids.new_msg_id % 2 == 1) {
      frame["NewMsgId"] = absl::StrCat(*ids.new_msg_id);
    } else {
      frame["NewMsgId"] = *ids.new_msg_id;
    }
  }
  if (!ids.cmd_id.is_null()) frame["cmdId"] = ids.cmd_id;
  frame["MsgType"] = msg_type;
  if (!account.empty()) frame["account"] = AccountValue(account);
  return frame;
}

std::string Dump(const Frame &frame) {
  // Replace rather than throw: no input may crash the simulator.
  return frame.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AddContactFields(const ContactRecord &c, Frame &frame) {
  frame["UserName"] = c.user_name;
  frame["NickName"] = c.nick_name;
  frame["Alias"] = c.alias;
  frame["Remark"] = c.remark;
  frame["Sex"] = c.sex;
  frame["Province"] = c.province;
  frame["City"] = c.city;
  frame["Signature"] = c.signature;
  frame["EncryptUsername"] = absl::StrCat("v1_", HexOf(c.user_name, 64), "@stranger");
  frame["Ticket"] = "";
  frame["ContactType"] = 0;
  frame["VerifyFlag"] = c.verify_flag;
  frame["SmallHeadImgUrl"] = HeadImgUrl(c.user_name, 0);
  frame["BigHeadImgUrl"] = HeadImgUrl(c.user_name, 132);
  frame["ChatRoomOwner"] = c.chat_room_owner;
  frame["ChatroomVersion"] = c.chatroom_version;
  frame["LabelLists"] = "";
  frame["ExtInfo"] = c.ext_info;
  frame["ExtInfoExt"] = "";
}

}  // namespace

std::string HeadImgUrl(const std::string &user_name, int size) {
  return absl::StrCat("http://wx.qlogo.cn/mmhead/ver_1/", HexOf(user_name, 48), "/", size);
}

nlohmann::json AccountValue(const std::string &account) {
  int64_t number;
  if (IsNumericAccount(account) && absl::SimpleAtoi(account, &number)) return number;
  return account;
}

std::string ErrorFrame(const FrameIds &ids, const std::string &account,
                       const std::string &content) {
  Frame frame = Envelope(ids, -1, account);
  frame["Content"] = content;
  return Dump(frame);
}

std::string AckFrame(const FrameIds &ids, const std::string &account) {
  Frame frame = Envelope(ids, 0, account);
  frame["Content"] = R"({"code":0,"msg":"ok"})";
  return Dump(frame);
}

std::string StatusFrame(const FrameIds &ids, const std::string &account,
                        const LoginStatus &status) {
  Frame content;
  content["wxId"] = status.wx_id;
  content["status"] = status.status;
  content["msg"] = status.msg;
  content["data"] = status.data;
  Frame frame = Envelope(ids, 0, account);
  frame["Content"] = Dump(content);  // JSON inside a JSON string (quirk 2)
  return Dump(frame);
}

namespace {

// Contact frames write a numeric account as a string of digits, as the document's
// contact samples do ("account": "1503579784924"); other frames as a number (quirk 1).
Frame ContactEnvelope(const FrameIds &ids, int msg_type, const std::string &account) {
  Frame frame = Envelope(ids, msg_type, "");
  if (!account.empty()) frame["account"] = account;
  return frame;
}

}  // namespace

std::string ContactFrame(const FrameIds &ids, const std::string &account,
                         const ContactRecord &contact) {
  Frame frame = ContactEnvelope(ids, 2, account);
  AddContactFields(contact, frame);
  return Dump(frame);
}

std::string SelfContactFrame(const FrameIds &ids, const std::string &account,
                             const ContactRecord &self) {
  Frame frame = ContactEnvelope(ids, 101, account);
  AddContactFields(self, frame);
  frame["BindUin"] = StableHash(self.user_name) % 4000000000u;
  frame["BindEmail"] = "";
  frame["BindMobile"] = IsNumericAccount(account) ? account : "";
  return Dump(frame);
}

std::string MessageFrame(const FrameIds &ids, const std::string &account,
                         const ChatMessage &message) {
  Frame frame = Envelope(ids, message.msg_type, account);
  frame["FromUserName"] = message.from_user_name;
  frame["ToUserName"] = message.to_user_name;
  frame["Content"] = message.content;
  const int64_t seconds =
      message.create_time != 0 ? message.create_time : static_cast<int64_t>(std::time(nullptr));
  frame["CreateTime"] = message.create_time_in_milliseconds ? seconds * 1000 : seconds;
  frame["Status"] = 3;
  frame["ImgStatus"] = message.msg_type == 3 ? 2 : 1;
  frame["MsgSource"] = "<msgsource/>";
  frame["PushContent"] = message.push_content;
  if (message.data) frame["data"] = *message.data;
  return Dump(frame);
}

}  // namespace wxbridge::sim
