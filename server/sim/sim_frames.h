// Builders for the frames the gateway sends (docs/protocol.md "Pushes").
// Pure: the world decides who gets what and with which ids; these only shape
// the JSON text.
#ifndef WXBRIDGE_SERVER_SIM_SIM_FRAMES_H_
#define WXBRIDGE_SERVER_SIM_SIM_FRAMES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "nlohmann/json.hpp"
#include "server/sim/sim_contacts.h"

namespace wxbridge::sim {

// How a frame is identified: a reply carries the request's msgId/cmdId (or 0
// and none), a push carries ids of its own. An odd NewMsgId is written as a decimal
// string, an even one as a number: the gateway's documentation shows both.
struct FrameIds {
  nlohmann::json msg_id = 0;
  nlohmann::json cmd_id;               // null: the field is left out
  std::optional<uint64_t> new_msg_id;  // pushes only
};

// The account field: a JSON number for numeric accounts (quirk 1), else a
// string.
nlohmann::json AccountValue(const std::string &account);

// A contact's head image URL; size 0 is the small one, 132 the big one.
std::string HeadImgUrl(const std::string &user_name, int size);

// `account` may be empty: the field is then left out.
std::string ErrorFrame(const FrameIds &ids, const std::string &account, const std::string &content);
// {"MsgType":0,…,"Content":"{\"code\":0,\"msg\":\"ok\"}"}: the echo-mode ack of
// a command that has no natural reply.
std::string AckFrame(const FrameIds &ids, const std::string &account);

struct LoginStatus {
  std::string wx_id;
  int status = 0;
  std::string msg;
  std::string data;  // base64 QR PNG while waiting for the scan
};
std::string StatusFrame(const FrameIds &ids, const std::string &account, const LoginStatus &status);

// MsgType 2, the contact's fields at the top level, no Content (quirk 2).
std::string ContactFrame(const FrameIds &ids, const std::string &account,
                         const ContactRecord &contact);
// MsgType 101: the logged-in account itself, with BindUin/BindEmail/BindMobile.
std::string SelfContactFrame(const FrameIds &ids, const std::string &account,
                             const ContactRecord &self);

struct ChatMessage {
  int msg_type = 1;
  std::string from_user_name;
  std::string to_user_name;
  std::string content;
  std::string push_content;
  std::optional<std::string> data;  // MsgType 3: base64 thumbnail
  int64_t create_time = 0;          // 0: now
  // CreateTime in milliseconds, as some gateway builds write it.
  bool create_time_in_milliseconds = false;
};
// The message envelope of MsgType 1, 3, 37, 49, 10000, 10002.
std::string MessageFrame(const FrameIds &ids, const std::string &account,
                         const ChatMessage &message);

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIM_FRAMES_H_
