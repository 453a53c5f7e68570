#include "server/protocol/message_decoder.h"

#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "server/protocol/base64.h"
#include "server/protocol/exact_id.h"
#include "server/protocol/group_notice_text.h"
#include "server/protocol/message_xml.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;

enum MessageType : int32_t {
  kText = 1,
  kImage = 3,
  kFriendRequest = 37,
  kLocation = 48,
  kApp = 49,
  kSystemNotice = 10000,
  kGroupChange = 10002,
};

constexpr char kChatroomSuffix[] = "@chatroom";
// Seconds of 9999-12-31T23:59:59Z, the last instant a Timestamp may hold.
constexpr int64_t kMaxTimestampSeconds = 253402300799;

// Characters of a wxid (wxid_…, custom ids, …@chatroom, …@stranger).
bool IsWxIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '@' ||
         c == '.';
}

// Splits a group message's "<sender wxid>:\n<body>"; false when there is no
// such prefix.
bool SplitSender(std::string_view content, std::string_view* sender, std::string_view* body) {
  const std::size_t colon = content.find(":\n");
  if (colon == 0 || colon == std::string_view::npos) return false;
  const std::string_view prefix = content.substr(0, colon);
  for (const char c : prefix) {
    if (!IsWxIdChar(c)) return false;
  }
  *sender = prefix;
  *body = content.substr(colon + 2);
  return true;
}

// CreateTime in seconds, or in milliseconds when too large to be seconds.
void DecodeCreateTime(const Json& frame, v1::MessageHeader* header) {
  const std::optional<int64_t> value = Int64Field(frame, "CreateTime");
  if (!value || *value < 0) return;
  if (*value <= kMaxTimestampSeconds) {
    header->mutable_create_time()->set_seconds(*value);
  } else if (*value / 1000 <= kMaxTimestampSeconds) {
    header->mutable_create_time()->set_seconds(*value / 1000);
    header->mutable_create_time()->set_nanos(static_cast<int32_t>(*value % 1000) * 1000000);
  }
}

// Fills the envelope; returns Content with a group sender's prefix removed.
std::string DecodeHeader(const Json& frame, std::string_view frame_text,
                         v1::MessageHeader* header) {
  header->set_new_msg_id(ExactIdField(frame, frame_text, "NewMsgId").value_or(0));
  header->set_from_user_name(TextField(frame, "FromUserName"));
  header->set_to_user_name(TextField(frame, "ToUserName"));
  DecodeCreateTime(frame, header);
  header->set_status(Int32Field(frame, "Status").value_or(0));
  header->set_img_status(Int32Field(frame, "ImgStatus").value_or(0));
  header->set_msg_source(TextField(frame, "MsgSource"));
  header->set_push_content(TextField(frame, "PushContent"));

  std::string content = TextField(frame, "Content");
  const std::string& from = header->from_user_name();
  header->set_sender_wx_id(from);
  if (!absl::EndsWith(from, kChatroomSuffix)) {
    // Sent by the account itself (from its phone) into a group: no sender prefix.
    if (absl::EndsWith(header->to_user_name(), kChatroomSuffix)) {
      header->set_group_id(header->to_user_name());
    }
    return content;
  }
  header->set_group_id(from);
  std::string_view sender;
  std::string_view body;
  if (!SplitSender(content, &sender, &body)) return content;
  header->set_sender_wx_id(std::string(sender));
  return std::string(body);
}

bool LooksLikeXml(absl::string_view text) {
  return absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "<");
}

// The header, then the body (Content without a group sender's prefix) through
// read(body, message); XML readers report malformed XML by leaving it untyped.
template <typename Message, typename Read>
void DecodeBody(const Json& frame, std::string_view frame_text, Message* message, Read read) {
  read(DecodeHeader(frame, frame_text, message->mutable_header()), message);
}

template <typename Message>
void SetText(const std::string& body, Message* message) {
  message->set_text(body);
}

// The typing every group notice gets, whichever MsgType carried it.
void TypeGroupChange(const std::string& group_id, const std::string& content,
                     v1::GroupChange* change) {
  change->set_group_id(group_id);
  if (LooksLikeXml(content)) {
    // Malformed XML: the text stays as received and nothing else is typed.
    if (!ReadGroupChangeXml(content, change)) {
      change->set_text(content);
      change->set_kind(v1::GROUP_CHANGE_KIND_OTHER);
      return;
    }
  } else {
    change->set_text(content);
  }
  if (change->kind() == v1::GROUP_CHANGE_KIND_UNSPECIFIED) {
    ReadGroupNoticeText(change->text(), change);
  }
  // A recall in a group whose envelope did not name it.
  if (change->group_id().empty() && absl::EndsWith(change->recalled().session(), kChatroomSuffix)) {
    change->set_group_id(change->recalled().session());
  }
}

void DecodeGroupChange(const std::string& content, v1::GroupChange* change) {
  TypeGroupChange(change->header().group_id(), content, change);
}

// A system notice of a group is also typed as that group's change.
void DecodeSystemNotice(const std::string& content, v1::SystemNotice* notice) {
  notice->set_text(content);
  if (notice->header().group_id().empty()) return;
  TypeGroupChange(notice->header().group_id(), content, notice->mutable_group_change());
}

void DecodeThumbnail(const Json& frame, v1::ImageMessage* image) {
  const auto data = frame.find("data");
  if (data == frame.end() || !data->is_string()) return;
  if (auto bytes = Base64Decode(data->get_ref<const std::string&>())) {
    image->set_thumbnail(std::move(*bytes));
  }
}

}  // namespace

bool IsMessageType(int32_t msg_type) {
  switch (msg_type) {
    case kText:
    case kImage:
    case kFriendRequest:
    case kLocation:
    case kApp:
    case kSystemNotice:
    case kGroupChange:
      return true;
    default:
      return false;
  }
}

void DecodeMessage(const Json& frame, std::string_view frame_text, int32_t msg_type,
                   v1::Event* event) {
  switch (msg_type) {
    case kText:
      DecodeBody(frame, frame_text, event->mutable_text(), SetText<v1::TextMessage>);
      break;
    case kImage:
      DecodeBody(frame, frame_text, event->mutable_image(), ReadImageXml);
      DecodeThumbnail(frame, event->mutable_image());
      break;
    case kFriendRequest:
      DecodeBody(frame, frame_text, event->mutable_friend_request(), ReadFriendRequestXml);
      break;
    case kLocation:
      DecodeBody(frame, frame_text, event->mutable_location(), ReadLocationXml);
      break;
    case kApp:
      DecodeBody(frame, frame_text, event->mutable_app(), ReadAppXml);
      break;
    case kSystemNotice:
      DecodeBody(frame, frame_text, event->mutable_system_notice(), DecodeSystemNotice);
      break;
    case kGroupChange:
      DecodeBody(frame, frame_text, event->mutable_group_change(), DecodeGroupChange);
      break;
    default:
      break;
  }
}

const v1::GroupChange* GroupChangeOf(const v1::Event& event) {
  if (event.has_group_change()) return &event.group_change();
  if (event.has_system_notice() && event.system_notice().has_group_change()) {
    return &event.system_notice().group_change();
  }
  return nullptr;
}

v1::GroupChange GroupChangeWithHeader(const v1::Event& event) {
  const v1::GroupChange* change = GroupChangeOf(event);
  if (change == nullptr) return {};
  v1::GroupChange answer = *change;
  if (event.has_system_notice()) *answer.mutable_header() = event.system_notice().header();
  return answer;
}

}  // namespace wxbridge::protocol
