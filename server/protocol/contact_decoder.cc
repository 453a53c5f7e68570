#include "server/protocol/contact_decoder.h"

#include <string_view>

#include "absl/strings/match.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;

// WeChat's built-in system accounts.
bool IsSpecialUserName(std::string_view user_name) {
  static constexpr std::string_view kSpecial[] = {"medianote",
                                                  "filehelper",
                                                  "weixin",
                                                  "fmessage",
                                                  "floatbottle",
                                                  "qmessage",
                                                  "qqmail",
                                                  "tmessage",
                                                  "newsapp",
                                                  "qqsync",
                                                  "lbsapp",
                                                  "shakeapp",
                                                  "voip",
                                                  "blogapp",
                                                  "masssendapp",
                                                  "feedsapp",
                                                  "voicevoipapp",
                                                  "officialaccounts",
                                                  "notification_messages",
                                                  "weibo",
                                                  "qqfriend",
                                                  "voiceinputapp",
                                                  "linkedinplugin",
                                                  "notifymessage"};
  for (std::string_view special : kSpecial) {
    if (user_name == special) return true;
  }
  return false;
}

v1::ContactKind KindOf(const std::string& user_name, bool is_self) {
  if (is_self) return v1::CONTACT_KIND_SELF;
  if (absl::EndsWith(user_name, "@chatroom")) return v1::CONTACT_KIND_GROUP;
  if (absl::StartsWith(user_name, "gh_")) return v1::CONTACT_KIND_OFFICIAL;
  if (IsSpecialUserName(user_name)) return v1::CONTACT_KIND_SPECIAL;
  return v1::CONTACT_KIND_PERSON;
}

}  // namespace

v1::Contact DecodeContact(const Json& frame, bool is_self) {
  v1::Contact contact;
  contact.set_user_name(TextField(frame, "UserName"));
  contact.set_kind(KindOf(contact.user_name(), is_self));
  contact.set_nick_name(TextField(frame, "NickName"));
  contact.set_alias(TextField(frame, "Alias"));
  contact.set_remark(TextField(frame, "Remark"));
  // Proto3 enums are open: an unexpected Sex number is carried as received.
  contact.set_sex(static_cast<v1::Sex>(Int32Field(frame, "Sex").value_or(0)));
  contact.set_province(TextField(frame, "Province"));
  contact.set_city(TextField(frame, "City"));
  contact.set_signature(TextField(frame, "Signature"));
  contact.set_encrypt_user_name(TextField(frame, "EncryptUsername"));
  contact.set_ticket(TextField(frame, "Ticket"));
  contact.set_contact_type(Int32Field(frame, "ContactType").value_or(0));
  contact.set_verify_flag(Int32Field(frame, "VerifyFlag").value_or(0));
  contact.set_small_head_img_url(TextField(frame, "SmallHeadImgUrl"));
  contact.set_big_head_img_url(TextField(frame, "BigHeadImgUrl"));
  contact.set_chat_room_owner(TextField(frame, "ChatRoomOwner"));
  contact.set_chatroom_version(Int64Field(frame, "ChatroomVersion").value_or(0));
  contact.set_label_lists(TextField(frame, "LabelLists"));
  contact.set_ext_info(TextField(frame, "ExtInfo"));
  contact.set_ext_info_ext(TextField(frame, "ExtInfoExt"));
  contact.set_bind_uin(Int64Field(frame, "BindUin").value_or(0));
  contact.set_bind_email(TextField(frame, "BindEmail"));
  contact.set_bind_mobile(TextField(frame, "BindMobile"));
  return contact;
}

}  // namespace wxbridge::protocol
