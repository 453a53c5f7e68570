// DecodeFrame: every inbound text becomes one typed Event, starting with the
// document's own push samples.
#include "server/protocol/frame_decoder.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/common/utf8.h"
#include "server/protocol/base64.h"
#include "server/protocol/message_decoder.h"
#include "tests/unit/protocol_testdata.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;
using ::testing::HasSubstr;
using testing::ReadSample;
using testing::SurvivesWire;

// Decodes and checks what holds for every frame: raw text kept, wire-safe
// strings.
v1::Event Decode(const std::string& text, const DecodeLimits& limits = {}) {
  v1::Event event = DecodeFrame(text, limits);
  EXPECT_TRUE(SurvivesWire(event));
  if (IsValidUtf8(text)) {
    EXPECT_TRUE(event.raw_json() == text);
  }
  EXPECT_NE(event.payload_case(), v1::Event::PAYLOAD_NOT_SET);
  return event;
}

void ExpectUnrecognized(const v1::Event& event, v1::UnrecognizedReason reason) {
  ASSERT_TRUE(event.has_unrecognized()) << event.DebugString();
  EXPECT_EQ(event.unrecognized().reason(), reason) << event.unrecognized().detail();
  EXPECT_FALSE(event.unrecognized().detail().empty());
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_UNRECOGNIZED);
}

// ---- The document's samples
// -------------------------------------------------------

TEST(DocumentPushTest, ResponseFormatWithNumericAccount) {
  const v1::Event event = Decode(ReadSample("push_response_format.json"));
  EXPECT_EQ(event.account(), "123");
  EXPECT_EQ(event.msg_id(), 101);
  EXPECT_EQ(event.msg_type(), 0);
  ASSERT_TRUE(event.has_command_reply());
  EXPECT_EQ(event.command_reply().content(), "");
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_COMMAND_REPLY);
}

TEST(DocumentPushTest, GatewayErrorRejectsTheAuthKey) {
  const v1::Event event = Decode(ReadSample("push_msgtype_-1_error.json"));
  EXPECT_EQ(event.msg_type(), -1);
  EXPECT_EQ(event.account(), "");
  ASSERT_TRUE(event.has_gateway_error());
  EXPECT_EQ(event.gateway_error().message(), "授权码无效");
  EXPECT_TRUE(event.gateway_error().auth_rejected());
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_GATEWAY_ERROR);
}

TEST(DocumentPushTest, OtherGatewayErrorsDoNotRejectTheAuthKey) {
  const v1::Event event = Decode(R"({"MsgType":-1,"Content":"账号不存在"})");
  EXPECT_EQ(event.gateway_error().message(), "账号不存在");
  EXPECT_FALSE(event.gateway_error().auth_rejected());
}

TEST(DocumentPushTest, OnlyTheWholeRefusalTextRejectsTheAuthKey) {
  EXPECT_TRUE(
      Decode(R"({"MsgType":-1,"Content":" 授权码无效\n"})").gateway_error().auth_rejected());
  // An error quoting a caller's text that contains the refusal does not.
  for (const char* quoting : {R"({"MsgType":-1,"Content":"发送失败: 授权码无效"})",
                              R"({"MsgType":-1,"Content":"授权码无效 is what alice wrote"})"}) {
    EXPECT_FALSE(Decode(quoting).gateway_error().auth_rejected()) << quoting;
  }
}

// The document's MsgType 0 sample has an unescaped quote inside Content.
TEST(DocumentPushTest, LoginStatusSampleAsWrittenIsMalformed) {
  const std::string sample = ReadSample("push_msgtype_0_status.json");
  const v1::Event event = Decode(sample);
  ExpectUnrecognized(event, v1::UNRECOGNIZED_REASON_INVALID_JSON);
  EXPECT_THAT(event.unrecognized().detail(), HasSubstr("parse error at line 6"));
}

std::string CorrectedLoginSample() {
  std::string sample = ReadSample("push_msgtype_0_status.json");
  const std::string broken = "图片\"}\"";
  sample.replace(sample.find(broken), broken.size(), "图片\\\"}\"");
  return sample;
}

TEST(DocumentPushTest, LoginStatusSampleCorrected) {
  const v1::Event event = Decode(CorrectedLoginSample());
  EXPECT_EQ(event.account(), "213123");
  EXPECT_EQ(event.msg_type(), 0);
  ASSERT_TRUE(event.has_login_status()) << event.DebugString();
  EXPECT_EQ(event.login_status().wx_id(), "123456");
  EXPECT_EQ(event.login_status().status(), v1::LOGIN_STATUS_WAITING_FOR_SCAN);
  EXPECT_EQ(event.login_status().message(), "等待扫码");
  EXPECT_EQ(event.login_status().qr_image(), "");  // the sample's data is prose
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_LOGIN_STATUS);
}

TEST(DocumentPushTest, SelfContact) {
  const v1::Event event = Decode(ReadSample("push_self_wxid_ofgv2ps2lznx22.json"));
  EXPECT_EQ(event.msg_type(), 101);
  EXPECT_EQ(event.account(), "1503579784924");
  ASSERT_TRUE(event.has_contact());
  const v1::Contact& contact = event.contact();
  EXPECT_EQ(contact.kind(), v1::CONTACT_KIND_SELF);
  EXPECT_EQ(contact.user_name(), "wxid_ofgv2ps2lznx22");
  EXPECT_EQ(contact.nick_name(), "桔小熊");
  EXPECT_EQ(contact.sex(), v1::SEX_FEMALE);
  EXPECT_EQ(contact.bind_uin(), 1873937731);
  EXPECT_EQ(contact.bind_email(), "");
  EXPECT_EQ(contact.bind_mobile(), "18811591763");
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_CONTACT);
}

TEST(DocumentPushTest, PersonWithCustomIdHasEveryField) {
  const v1::Event event = Decode(ReadSample("push_person_MENGJING-20122008.json"));
  EXPECT_EQ(event.msg_type(), 2);
  EXPECT_EQ(event.account(), "1503579784924");
  const v1::Contact& contact = event.contact();
  EXPECT_EQ(contact.kind(), v1::CONTACT_KIND_PERSON);
  EXPECT_EQ(contact.user_name(), "MENGJING-20122008");
  EXPECT_EQ(contact.nick_name(), "静静");
  EXPECT_EQ(contact.alias(), "");
  EXPECT_EQ(contact.remark(), "1a48d3d3-6728-42b7-bd27-4ae84da50f4d");
  EXPECT_EQ(contact.sex(), v1::SEX_MALE);
  EXPECT_EQ(contact.province(), "Carinthia");
  EXPECT_EQ(contact.city(), "");
  EXPECT_EQ(contact.signature(), "生活美好");
  EXPECT_EQ(contact.encrypt_user_name(),
            "v1_"
            "61d68e3fbd9f9525de5acb8d2f674f86c7144fcce3c78ba4d430eba75f017b2744"
            "d3b59478"
            "4470325248218a31494fbb@stranger");
  EXPECT_EQ(contact.ticket(), "");
  EXPECT_EQ(contact.contact_type(), 0);
  EXPECT_EQ(contact.verify_flag(), 1);
  EXPECT_EQ(contact.small_head_img_url(),
            "http://wx.qlogo.cn/mmhead/ver_1/"
            "tPyic1oOQqDT9MEPiau1G4zRpAw87WglFrvY0pmRncgvcGx55"
            "PMVJhfJayJEnjibsRiaM40iaQIEyolE1YOTNfSia9UjEjAsiaqiasgLcx3G4GglI28/0");
  EXPECT_EQ(contact.big_head_img_url(),
            "http://wx.qlogo.cn/mmhead/ver_1/"
            "tPyic1oOQqDT9MEPiau1G4zRpAw87WglFrvY0pmRncgvcGx55"
            "PMVJhfJayJEnjibsRiaM40iaQIEyolE1YOTNfSia9UjEjAsiaqiasgLcx3G4GglI28/132");
  EXPECT_EQ(contact.chat_room_owner(), "");
  EXPECT_EQ(contact.chatroom_version(), 0);
  EXPECT_EQ(contact.label_lists(), "");
  EXPECT_EQ(contact.ext_info(), "");
  EXPECT_EQ(contact.ext_info_ext(), "");
}

TEST(DocumentPushTest, PersonWithWxid) {
  const v1::Contact contact = Decode(ReadSample("push_person_wxid_lrjaj3wjlhd122.json")).contact();
  EXPECT_EQ(contact.kind(), v1::CONTACT_KIND_PERSON);
  EXPECT_EQ(contact.user_name(), "wxid_lrjaj3wjlhd122");
  EXPECT_EQ(contact.nick_name(), "莹莹");
  EXPECT_EQ(contact.sex(), v1::SEX_UNSPECIFIED);
  EXPECT_EQ(contact.remark(), "8b8b4814-0165-4dca-b5bd-0c0765d6c63c");
}

TEST(DocumentPushTest, PersonWithAlias) {
  const v1::Contact contact = Decode(ReadSample("push_person_qq512436430.json")).contact();
  EXPECT_EQ(contact.kind(), v1::CONTACT_KIND_PERSON);
  EXPECT_EQ(contact.user_name(), "qq512436430");
  EXPECT_EQ(contact.alias(), "ruirui_0914");
  EXPECT_EQ(contact.city(), "Haidian");
  EXPECT_EQ(contact.province(), "Beijing");
  EXPECT_EQ(contact.signature(), "一个习惯走夜路的姑娘 ");
  EXPECT_EQ(contact.nick_name(), "李佳芮");
}

TEST(DocumentPushTest, PersonWithRemark) {
  const v1::Contact contact = Decode(ReadSample("push_person_wxid_36yiw633saqf12.json")).contact();
  EXPECT_EQ(contact.kind(), v1::CONTACT_KIND_PERSON);
  EXPECT_EQ(contact.remark(), "7dd54ec0-7116-11e7-b3e0-85b97a9889ca");
  EXPECT_EQ(contact.alias(), "beginning454");
  EXPECT_EQ(contact.city(), "Luoyang");
  EXPECT_EQ(contact.signature(), "啦啦啦啦啦啦啦啦啦啦");
}

TEST(DocumentPushTest, OfficialAccountKeepsExtInfoVerbatim) {
  const std::string sample = ReadSample("push_official_gh_617881e09fd7.json");
  const v1::Contact contact = Decode(sample).contact();
  EXPECT_EQ(contact.kind(), v1::CONTACT_KIND_OFFICIAL);
  EXPECT_EQ(contact.user_name(), "gh_617881e09fd7");
  EXPECT_EQ(contact.alias(), "ienglishmba");
  // Byte-equal to the JSON string's value (the sample's escaped "\\/" stays
  // "\/").
  const std::string ext_info = nlohmann::json::parse(sample)["ExtInfo"];
  EXPECT_EQ(contact.ext_info(), ext_info);
  EXPECT_EQ(contact.ext_info().rfind(R"({"IsShowHeadImgInMsg":"1","IsHideInputToolbarInMsg")", 0),
            0u);
  EXPECT_THAT(contact.ext_info(), HasSubstr(R"("IntroUrl":"http:\/\/mp.weixin.qq.com\/mp)"));
  EXPECT_EQ(nlohmann::json::parse(contact.ext_info())["VerifySource"]["Description"],
            "烟台火耕网络科技有限公司");
}

TEST(DocumentPushTest, SpecialAccount) {
  const v1::Contact contact = Decode(ReadSample("push_special_medianote.json")).contact();
  EXPECT_EQ(contact.kind(), v1::CONTACT_KIND_SPECIAL);
  EXPECT_EQ(contact.nick_name(), "语音记事本");
}

// Command samples with trailing commas are not JSON; received, they must not be
// lost.
TEST(DocumentPushTest, TrailingCommaSamplesAreKeptAsInvalidJson) {
  for (const char* file : {"cmd_104_send_link.json", "cmd_105_kick.json",
                           "cmd_107_accept_friend.json", "cmd_108_invite.json"}) {
    const v1::Event event = Decode(ReadSample(file));
    ExpectUnrecognized(event, v1::UNRECOGNIZED_REASON_INVALID_JSON);
    EXPECT_EQ(event.raw_json(), ReadSample(file)) << file;
  }
}

// ---- Contacts
// -------------------------------------------------------------------

v1::ContactKind ContactKindOf(const std::string& user_name) {
  return Decode(R"({"MsgType":2,"UserName":")" + user_name + R"("})").contact().kind();
}

TEST(ContactTest, KindFollowsUserName) {
  EXPECT_EQ(ContactKindOf("7244722086@chatroom"), v1::CONTACT_KIND_GROUP);
  EXPECT_EQ(ContactKindOf("gh_617881e09fd7"), v1::CONTACT_KIND_OFFICIAL);
  EXPECT_EQ(ContactKindOf("filehelper"), v1::CONTACT_KIND_SPECIAL);
  EXPECT_EQ(ContactKindOf("notification_messages"), v1::CONTACT_KIND_SPECIAL);
  EXPECT_EQ(ContactKindOf("weixin"), v1::CONTACT_KIND_SPECIAL);
  EXPECT_EQ(ContactKindOf("wxid_weixin"), v1::CONTACT_KIND_PERSON);
  EXPECT_EQ(ContactKindOf("MENGJING-20122008"), v1::CONTACT_KIND_PERSON);
}

TEST(ContactTest, NumbersMayArriveAsStrings) {
  const v1::Contact contact =
      Decode(R"({"MsgType":"101","UserName":"wxid_a","Sex":"2","VerifyFlag":"8",
                 "ContactType":"1","ChatroomVersion":"700000001","BindUin":"1873937731"})")
          .contact();
  EXPECT_EQ(contact.kind(), v1::CONTACT_KIND_SELF);
  EXPECT_EQ(contact.sex(), v1::SEX_FEMALE);
  EXPECT_EQ(contact.verify_flag(), 8);
  EXPECT_EQ(contact.contact_type(), 1);
  EXPECT_EQ(contact.chatroom_version(), 700000001);
  EXPECT_EQ(contact.bind_uin(), 1873937731);
}

TEST(ContactTest, GroupCarriesItsOwnerAndMissingFieldsStayEmpty) {
  const v1::Event event =
      Decode(R"({"MsgType":2,"account":7,"UserName":"1@chatroom","ChatRoomOwner":"wxid_o"})");
  EXPECT_EQ(event.account(), "7");
  EXPECT_EQ(event.contact().kind(), v1::CONTACT_KIND_GROUP);
  EXPECT_EQ(event.contact().chat_room_owner(), "wxid_o");
  EXPECT_EQ(event.contact().nick_name(), "");
  EXPECT_EQ(event.contact().sex(), v1::SEX_UNSPECIFIED);
}

// ---- Envelope
// -------------------------------------------------------------------

TEST(EnvelopeTest, MsgTypeAndIdsMayBeStrings) {
  const v1::Event event =
      Decode(R"({"MsgType":"1","MsgId":"42","account":"acc","cmdId":"c-1","Content":"hi"})");
  EXPECT_EQ(event.msg_type(), 1);
  EXPECT_EQ(event.msg_id(), 42);
  EXPECT_EQ(event.cmd_id(), "c-1");
  EXPECT_EQ(event.text().text(), "hi");
}

TEST(EnvelopeTest, NumericCmdIdBecomesText) {
  EXPECT_EQ(Decode(R"({"MsgType":0,"cmdId":17})").cmd_id(), "17");
}

TEST(EnvelopeTest, MissingMsgTypeKeepsTheEnvelope) {
  const v1::Event event = Decode(R"({"account":123,"MsgId":5,"Content":"x"})");
  ExpectUnrecognized(event, v1::UNRECOGNIZED_REASON_MISSING_MSG_TYPE);
  EXPECT_FALSE(event.has_msg_type());
  EXPECT_EQ(event.account(), "123");
  EXPECT_EQ(event.msg_id(), 5);
}

TEST(EnvelopeTest, NonNumericMsgTypeIsMissing) {
  for (const char* text : {R"({"MsgType":"text"})", R"({"MsgType":1.5})", R"({"MsgType":null})",
                           R"({"MsgType":99999999999})"}) {
    const v1::Event event = Decode(text);
    ExpectUnrecognized(event, v1::UNRECOGNIZED_REASON_MISSING_MSG_TYPE);
    EXPECT_FALSE(event.has_msg_type()) << text;
  }
}

TEST(EnvelopeTest, UnknownMsgTypeKeepsTheEnvelope) {
  const v1::Event event = Decode(R"({"MsgType":42,"account":"a","MsgId":3,"cmdId":"c"})");
  ExpectUnrecognized(event, v1::UNRECOGNIZED_REASON_UNKNOWN_MSG_TYPE);
  EXPECT_EQ(event.msg_type(), 42);
  EXPECT_EQ(event.account(), "a");
  EXPECT_EQ(event.msg_id(), 3);
  EXPECT_EQ(event.cmd_id(), "c");
}

// ---- Malformed input
// ------------------------------------------------------------

TEST(MalformedTest, InvalidJson) {
  for (const char* text : {"", "{", "{\"MsgType\":1,}", "not json", "{\"a\":\"\\ud800\"}"}) {
    ExpectUnrecognized(Decode(text), v1::UNRECOGNIZED_REASON_INVALID_JSON);
  }
}

TEST(MalformedTest, NotAnObject) {
  for (const char* text : {"[]", "null", "\"MsgType\"", "1"}) {
    ExpectUnrecognized(Decode(text), v1::UNRECOGNIZED_REASON_NOT_AN_OBJECT);
  }
}

TEST(MalformedTest, InvalidUtf8KeepsTheExactBytes) {
  const std::string text = "{\"MsgType\":1,\"Content\":\"\xFF\xE6\x8E\"}";
  const v1::Event event = Decode(text);
  ExpectUnrecognized(event, v1::UNRECOGNIZED_REASON_INVALID_UTF8);
  EXPECT_EQ(event.unrecognized().raw_bytes(), text);
  EXPECT_EQ(event.raw_json(), "{\"MsgType\":1,\"Content\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
}

TEST(MalformedTest, DeepNestingIsRefusedWithoutCrashing) {
  ExpectUnrecognized(Decode(std::string(100000, '[')), v1::UNRECOGNIZED_REASON_TOO_DEEP);
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  ExpectUnrecognized(Decode(objects), v1::UNRECOGNIZED_REASON_TOO_DEEP);
}

TEST(MalformedTest, DepthLimitIsExact) {
  const DecodeLimits limits{3};
  EXPECT_TRUE(Decode(R"({"MsgType":1,"a":[[1]]})", limits).has_text());
  ExpectUnrecognized(Decode(R"({"MsgType":1,"a":[[[1]]]})", limits),
                     v1::UNRECOGNIZED_REASON_TOO_DEEP);
  // Brackets inside strings are text, not nesting.
  const v1::Event event = Decode(R"({"MsgType":1,"Content":"[[[[{{{{\"]]]"})", limits);
  EXPECT_EQ(event.text().text(), "[[[[{{{{\"]]]");
}

TEST(MalformedTest, DeepNestingInsideLoginContentIsNotParsed) {
  const std::string content = std::string(1000, '[');
  const v1::Event event = Decode(R"({"MsgType":0,"Content":")" + content + R"("})");
  EXPECT_EQ(event.command_reply().content(), content);
}

TEST(MalformedTest, BinaryFrame) {
  const std::string bytes("\x89PNG\0\xff{}", 8);
  const v1::Event event = DecodeBinaryFrame(bytes);
  EXPECT_TRUE(SurvivesWire(event));
  ExpectUnrecognized(event, v1::UNRECOGNIZED_REASON_BINARY_FRAME);
  EXPECT_EQ(event.unrecognized().raw_bytes(), bytes);
}

TEST(MalformedTest, HugeFrame) {
  const std::string content(20 * 1024 * 1024, 'x');
  const v1::Event event = Decode(R"({"MsgType":1,"Content":")" + content + R"("})");
  EXPECT_EQ(event.text().text(), content);
  const v1::Event broken = Decode(R"({"MsgType":1,"Content":")" + content + "\\q\"}");
  ExpectUnrecognized(broken, v1::UNRECOGNIZED_REASON_INVALID_JSON);
  EXPECT_LT(broken.unrecognized().detail().size(), 1000u);
}

// ---- Login status (MsgType 0)
// -----------------------------------------------------

TEST(LoginStatusTest, DecodesTheQrImage) {
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  nlohmann::json content = {
      {"wxId", ""}, {"status", 1}, {"msg", "等待扫码"}, {"data", Base64Encode(png)}};
  const nlohmann::json frame = {{"MsgType", 0}, {"account", "a"}, {"Content", content.dump()}};
  EXPECT_EQ(Decode(frame.dump()).login_status().qr_image(), png);

  content["data"] = "data:image/png;base64," + Base64Encode(png);
  const nlohmann::json url_frame = {{"MsgType", 0}, {"Content", content.dump()}};
  EXPECT_EQ(Decode(url_frame.dump()).login_status().qr_image(), png);
}

TEST(LoginStatusTest, StatusMayBeAStringAndContentAnObject) {
  const v1::Event event =
      Decode(R"({"MsgType":0,"Content":{"wxId":"wxid_me","status":"7","msg":"已成功登录"}})");
  ASSERT_TRUE(event.has_login_status());
  EXPECT_EQ(event.login_status().status(), v1::LOGIN_STATUS_LOGGED_IN);
  EXPECT_EQ(event.login_status().wx_id(), "wxid_me");
}

TEST(LoginStatusTest, ContentWithoutStatusIsACommandReply) {
  EXPECT_EQ(Decode(R"({"MsgType":0,"Content":"发送成功"})").command_reply().content(), "发送成功");
  EXPECT_EQ(Decode(R"({"MsgType":0,"Content":"{\"ok\": true}"})").command_reply().content(),
            "{\"ok\": true}");
  EXPECT_EQ(Decode(R"({"MsgType":0})").command_reply().content(), "");
  EXPECT_EQ(Decode(R"({"MsgType":0,"Content":{"ok":1}})").command_reply().content(), R"({"ok":1})");
}

// ---- Messages
// ---------------------------------------------------------------------

std::string Message(int msg_type, const std::string& from, const std::string& content,
                    const std::string& extra = "") {
  nlohmann::json frame = {{"MsgType", msg_type},
                          {"MsgId", 1},
                          {"NewMsgId", 6712345678901234567},
                          {"account", "acc"},
                          {"FromUserName", from},
                          {"ToUserName", "wxid_me"},
                          {"Content", content},
                          {"CreateTime", 1503579784},
                          {"Status", 3},
                          {"ImgStatus", 1},
                          {"MsgSource", "<msgsource><silence>0</silence></msgsource>"},
                          {"PushContent", "nick : text"}};
  std::string text = frame.dump();
  if (!extra.empty()) text.insert(text.size() - 1, "," + extra);
  return text;
}

TEST(MessageTest, TextHeader) {
  const v1::Event event = Decode(Message(1, "wxid_friend", "你好"));
  ASSERT_TRUE(event.has_text());
  const v1::MessageHeader& header = event.text().header();
  EXPECT_EQ(header.new_msg_id(), 6712345678901234567u);
  EXPECT_EQ(header.from_user_name(), "wxid_friend");
  EXPECT_EQ(header.to_user_name(), "wxid_me");
  EXPECT_EQ(header.create_time().seconds(), 1503579784);
  EXPECT_EQ(header.status(), 3);
  EXPECT_EQ(header.img_status(), 1);
  EXPECT_EQ(header.msg_source(), "<msgsource><silence>0</silence></msgsource>");
  EXPECT_EQ(header.push_content(), "nick : text");
  EXPECT_EQ(header.group_id(), "");
  EXPECT_EQ(header.sender_wx_id(), "wxid_friend");
  EXPECT_EQ(event.text().text(), "你好");
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_TEXT);
}

uint64_t NewMsgIdOf(const std::string& value) {
  return Decode(R"({"MsgType":1,"NewMsgId":)" + value + "}").text().header().new_msg_id();
}

TEST(MessageTest, NewMsgIdIsExactAsNumberStringOrFloat) {
  EXPECT_EQ(NewMsgIdOf("9223372036854775807"), 9223372036854775807u);
  EXPECT_EQ(NewMsgIdOf("\"9223372036854775806\""), 9223372036854775806u);
  // Above 2^63-1, up to 2^64-1: kept exactly, as a number or a string.
  EXPECT_EQ(NewMsgIdOf("9300000000000000001"), 9300000000000000001u);
  EXPECT_EQ(NewMsgIdOf("\"18446744073709551615\""), 18446744073709551615u);
  // Floats are read from the frame's text, not through a double (53 bits).
  EXPECT_EQ(NewMsgIdOf("9300000000000000001.0"), 9300000000000000001u);
  EXPECT_EQ(NewMsgIdOf("9.300000000000000001e18"), 9300000000000000001u);
  EXPECT_EQ(NewMsgIdOf("\"6.5e3\""), 6500u);
  // Not an id: 0.
  EXPECT_EQ(NewMsgIdOf("18446744073709551616"), 0u);
  EXPECT_EQ(NewMsgIdOf("-5"), 0u);
  EXPECT_EQ(NewMsgIdOf("1.5"), 0u);
  EXPECT_EQ(NewMsgIdOf("\"12ab\""), 0u);
}

TEST(MessageTest, CreateTimeInSecondsOrMilliseconds) {
  const auto time_of = [](const std::string& value) {
    return Decode(R"({"MsgType":1,"CreateTime":)" + value + "}").text().header().create_time();
  };
  EXPECT_EQ(time_of("1503579784").seconds(), 1503579784);
  EXPECT_EQ(time_of("1503579784").nanos(), 0);
  EXPECT_EQ(time_of("1503579784123").seconds(), 1503579784);
  EXPECT_EQ(time_of("1503579784123").nanos(), 123000000);
  EXPECT_EQ(time_of("\"1503579784123\"").seconds(), 1503579784);
  EXPECT_FALSE(Decode(R"({"MsgType":1,"CreateTime":-1})").text().header().has_create_time());
}

TEST(MessageTest, GroupMessageTheAccountSentItself) {
  // From the account's phone: FromUserName is its own wxid, ToUserName the group, and
  // Content has no sender prefix.
  const v1::Event event = Decode(Message(1, "wxid_me", "从手机发的"));
  EXPECT_EQ(event.text().header().group_id(), "");
  v1::Event in_group = Decode(R"({"MsgType":1,"FromUserName":"wxid_me",)"
                              R"("ToUserName":"7244722086@chatroom","Content":"a:\nb"})");
  EXPECT_EQ(in_group.text().header().group_id(), "7244722086@chatroom");
  EXPECT_EQ(in_group.text().header().sender_wx_id(), "wxid_me");
  EXPECT_EQ(in_group.text().text(), "a:\nb");
}

TEST(MessageTest, GroupMessageSplitsTheSender) {
  const v1::Event event = Decode(Message(1, "7244722086@chatroom", "wxid_abc:\n大家好\n第二行"));
  const v1::MessageHeader& header = event.text().header();
  EXPECT_EQ(header.group_id(), "7244722086@chatroom");
  EXPECT_EQ(header.sender_wx_id(), "wxid_abc");
  EXPECT_EQ(event.text().text(), "大家好\n第二行");
}

TEST(MessageTest, GroupMessageWithoutPrefixIsFromTheGroup) {
  const v1::Event event = Decode(Message(1, "1@chatroom", "no prefix: here\nx"));
  EXPECT_EQ(event.text().header().sender_wx_id(), "1@chatroom");
  EXPECT_EQ(event.text().text(), "no prefix: here\nx");
}

TEST(MessageTest, PrivateMessageIsNeverSplit) {
  const v1::Event event = Decode(Message(1, "wxid_friend", "wxid_abc:\nhello"));
  EXPECT_EQ(event.text().header().sender_wx_id(), "wxid_friend");
  EXPECT_EQ(event.text().text(), "wxid_abc:\nhello");
}

TEST(MessageTest, ImageInAGroupWithThumbnail) {
  const std::string xml =
      R"(<?xml version="1.0"?><msg><img aeskey="k1" encryver="1" cdnthumbaeskey="k2" )"
      R"(cdnthumburl="thumb" cdnthumblength="3855" cdnthumbheight="160" cdnthumbwidth="120" )"
      R"(cdnmidheight="480" cdnmidwidth="360" cdnhdheight="1920" cdnhdwidth="1440" )"
      R"(cdnmidimgurl="mid" cdnbigimgurl="big" length="123456" hdlength="7890123" )"
      R"(md5="fee4c3"/></msg>)";
  const std::string thumbnail("\xff\xd8\xff\xe0 jpeg", 9);
  const v1::Event event = Decode(Message(3, "1@chatroom", "wxid_abc:\n" + xml,
                                         "\"data\":\"" + Base64Encode(thumbnail) + "\""));
  ASSERT_TRUE(event.has_image());
  const v1::ImageMessage& image = event.image();
  EXPECT_EQ(image.header().sender_wx_id(), "wxid_abc");
  EXPECT_EQ(image.aes_key(), "k1");
  EXPECT_EQ(image.cdn_thumb_url(), "thumb");
  EXPECT_EQ(image.cdn_thumb_length(), 3855);
  EXPECT_EQ(image.cdn_thumb_height(), 160);
  EXPECT_EQ(image.cdn_thumb_width(), 120);
  EXPECT_EQ(image.cdn_mid_img_url(), "mid");
  EXPECT_EQ(image.cdn_big_img_url(), "big");
  EXPECT_EQ(image.length(), 123456);
  EXPECT_EQ(image.hd_length(), 7890123);
  EXPECT_EQ(image.md5(), "fee4c3");
  EXPECT_EQ(image.cdn_thumb_aes_key(), "k2");
  EXPECT_EQ(image.encrypt_version(), 1);
  EXPECT_EQ(image.cdn_mid_height(), 480);
  EXPECT_EQ(image.cdn_mid_width(), 360);
  EXPECT_EQ(image.cdn_hd_height(), 1920);
  EXPECT_EQ(image.cdn_hd_width(), 1440);
  EXPECT_EQ(image.thumbnail(), thumbnail);
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_IMAGE);
}

TEST(MessageTest, MalformedXmlLeavesTypedFieldsEmpty) {
  const std::string xml = R"(<msg><img aeskey="k1" cdnthumburl="thumb")";
  const std::string text = Message(3, "wxid_friend", xml, R"("data":"not base64!")");
  const v1::Event event = Decode(text);
  ASSERT_TRUE(event.has_image());
  EXPECT_EQ(event.image().aes_key(), "");
  EXPECT_EQ(event.image().cdn_thumb_url(), "");
  EXPECT_EQ(event.image().thumbnail(), "");
  EXPECT_EQ(event.image().header().from_user_name(), "wxid_friend");
  EXPECT_EQ(event.raw_json(), text);
}

TEST(MessageTest, Location) {
  const v1::Event event = Decode(Message(
      48, "wxid_friend",
      R"(<msg><location x="39.984" y="116.307" scale="16" label="北京市海淀区" poiname="中关村" /></msg>)"));
  ASSERT_TRUE(event.has_location());
  EXPECT_DOUBLE_EQ(event.location().latitude(), 39.984);
  EXPECT_DOUBLE_EQ(event.location().longitude(), 116.307);
  EXPECT_EQ(event.location().scale(), 16);
  EXPECT_EQ(event.location().label(), "北京市海淀区");
  EXPECT_EQ(event.location().poi_name(), "中关村");
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_LOCATION);
}

TEST(MessageTest, LocationScaleWithAFraction) {
  const auto scale_of = [](const std::string& scale) {
    return Decode(Message(48, "wxid_friend", "<msg><location scale=\"" + scale + "\"/></msg>"))
        .location()
        .scale();
  };
  EXPECT_EQ(scale_of("16.0"), 16);
  EXPECT_EQ(scale_of("15.6"), 16);
  EXPECT_EQ(scale_of("x"), 0);
  EXPECT_EQ(scale_of("1e300"), 0);
}

v1::AppMessage App(const std::string& type) {
  return Decode(
             Message(49, "wxid_friend",
                     R"(<msg><appmsg appid="wx123" sdkver="0"><title>标题 &amp; more</title>)"
                     R"(<des><![CDATA[描述]]></des><type>)" +
                         type +
                         R"(</type><url>http://a.b/?x=1&amp;y=2</url><thumburl>http://t</thumburl>)"
                         R"(<appattach><totallen>2048</totallen><fileext>pdf</fileext>)"
                         R"(<cdnthumburl>3057</cdnthumburl><cdnthumbmd5>fee4</cdnthumbmd5>)"
                         R"(<cdnthumblength>3855</cdnthumblength><cdnthumbheight>160)"
                         R"(</cdnthumbheight><cdnthumbwidth>120</cdnthumbwidth>)"
                         R"(<cdnthumbaeskey>1bd2</cdnthumbaeskey><aeskey>9a8b</aeskey>)"
                         R"(<encryver>1</encryver><attachid>@cdn_1</attachid>)"
                         R"(</appattach></appmsg></msg>)"))
      .app();
}

TEST(MessageTest, AppMessageKinds) {
  const v1::AppMessage link = App("5");
  EXPECT_EQ(link.kind(), v1::APP_KIND_LINK);
  EXPECT_EQ(link.app_type(), 5);
  EXPECT_EQ(link.title(), "标题 & more");
  EXPECT_EQ(link.description(), "描述");
  EXPECT_EQ(link.url(), "http://a.b/?x=1&y=2");
  EXPECT_EQ(link.thumb_url(), "http://t");
  EXPECT_EQ(link.file_size(), 2048);
  EXPECT_EQ(link.file_ext(), "pdf");
  EXPECT_EQ(link.app_id(), "wx123");
  const v1::AppAttachment& attachment = link.attachment();
  EXPECT_EQ(attachment.cdn_thumb_url(), "3057");
  EXPECT_EQ(attachment.cdn_thumb_md5(), "fee4");
  EXPECT_EQ(attachment.cdn_thumb_length(), 3855);
  EXPECT_EQ(attachment.cdn_thumb_height(), 160);
  EXPECT_EQ(attachment.cdn_thumb_width(), 120);
  EXPECT_EQ(attachment.cdn_thumb_aes_key(), "1bd2");
  EXPECT_EQ(attachment.aes_key(), "9a8b");
  EXPECT_EQ(attachment.encrypt_version(), 1);
  EXPECT_EQ(attachment.attach_id(), "@cdn_1");
  EXPECT_EQ(App("6").kind(), v1::APP_KIND_FILE);
  EXPECT_EQ(App("33").kind(), v1::APP_KIND_MINI_PROGRAM);
  EXPECT_EQ(App("36").kind(), v1::APP_KIND_MINI_PROGRAM);
  EXPECT_EQ(App("57").kind(), v1::APP_KIND_OTHER);
  EXPECT_EQ(App("57").app_type(), 57);
}

TEST(MessageTest, FriendRequestCarriesWhatAcceptNeeds) {
  const v1::Event event = Decode(Message(
      37, "fmessage",
      R"(<msg fromusername="wxid_new" encryptusername="v1_abc@stranger" fromnickname="新朋友" )"
      R"(content="我是小王" ticket="v2_def@stranger" scene="30" opcode="2" )"
      R"(sourceusername="wxid_src" alias="xiaowang" sex="1" province="Guangdong" city="Shenzhen" )"
      R"(sign="你好" bigheadimgurl="http://big" smallheadimgurl="http://small" )"
      R"(chatroomusername="5@chatroom" />)"));
  ASSERT_TRUE(event.has_friend_request());
  const v1::FriendRequest& request = event.friend_request();
  EXPECT_EQ(request.from_user_name(), "wxid_new");
  EXPECT_EQ(request.entry_name(), "v1_abc@stranger");
  EXPECT_EQ(request.from_nick_name(), "新朋友");
  EXPECT_EQ(request.content(), "我是小王");
  EXPECT_EQ(request.ticket(), "v2_def@stranger");
  EXPECT_EQ(request.scene(), 30);
  EXPECT_EQ(request.opcode(), 2);
  EXPECT_EQ(request.source_user_name(), "wxid_src");
  EXPECT_EQ(request.alias(), "xiaowang");
  EXPECT_EQ(request.sex(), 1);
  EXPECT_EQ(request.province(), "Guangdong");
  EXPECT_EQ(request.city(), "Shenzhen");
  EXPECT_EQ(request.signature(), "你好");
  EXPECT_EQ(request.big_head_img_url(), "http://big");
  EXPECT_EQ(request.small_head_img_url(), "http://small");
  EXPECT_EQ(request.chatroom_user_name(), "5@chatroom");
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_FRIEND_REQUEST);
}

TEST(MessageTest, XmlCharacterReferencesStayValidUtf8) {
  const v1::Event event =
      Decode(Message(37, "fmessage", R"(<msg fromnickname="&#xD800;&#x110000;x" />)"));
  EXPECT_TRUE(IsValidUtf8(event.friend_request().from_nick_name()));
}

TEST(MessageTest, SystemNoticeOfAGroupIsTypedAsItsChange) {
  const v1::Event event = Decode(Message(10000, "1@chatroom", "你将\"柚子\"移出了群聊"));
  ASSERT_TRUE(event.has_system_notice());
  EXPECT_EQ(event.system_notice().text(), "你将\"柚子\"移出了群聊");
  EXPECT_EQ(event.system_notice().header().group_id(), "1@chatroom");
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_SYSTEM_NOTICE);
  ASSERT_TRUE(event.system_notice().has_group_change());
  const v1::GroupChange& change = event.system_notice().group_change();
  EXPECT_EQ(change.group_id(), "1@chatroom");
  EXPECT_EQ(change.kind(), v1::GROUP_CHANGE_KIND_REMOVED);
  EXPECT_TRUE(change.actor_is_self());
  EXPECT_THAT(change.member_names(), ::testing::ElementsAre("柚子"));
  EXPECT_FALSE(change.has_header());
  ASSERT_EQ(GroupChangeOf(event), &change);
  EXPECT_EQ(GroupChangeWithHeader(event).header().group_id(), "1@chatroom");
}

TEST(MessageTest, SystemNoticeOutsideAGroupHasNoChange) {
  const v1::Event event =
      Decode(Message(10000, "wxid_friend", "你已添加了柚子，现在可以开始聊天了。"));
  EXPECT_FALSE(event.system_notice().has_group_change());
  EXPECT_EQ(GroupChangeOf(event), nullptr);
}

v1::GroupChange Change(const std::string& content) {
  return Decode(Message(10002, "5@chatroom", content)).group_change();
}

TEST(GroupChangeTest, KindFromPlainText) {
  EXPECT_EQ(Change("你将\"柚子\"移出了群聊").kind(), v1::GROUP_CHANGE_KIND_REMOVED);
  EXPECT_EQ(Change("\"柚子\"退出了群聊").kind(), v1::GROUP_CHANGE_KIND_LEFT);
  EXPECT_EQ(Change("\"管理员\"邀请你和\"柚子\"加入了群聊").kind(), v1::GROUP_CHANGE_KIND_INVITED);
  EXPECT_EQ(Change("\"管理员\"修改群名为“新的群”").kind(), v1::GROUP_CHANGE_KIND_RENAMED);
  EXPECT_EQ(Change("\"管理员\"修改群名为“新的群”").new_name(), "新的群");
  EXPECT_EQ(Change("别的通知").kind(), v1::GROUP_CHANGE_KIND_OTHER);
  const v1::GroupChange change = Change("\"柚子\"加入了群聊");
  EXPECT_EQ(change.group_id(), "5@chatroom");
  EXPECT_EQ(change.text(), "\"柚子\"加入了群聊");
}

TEST(GroupChangeTest, RevokedMessage) {
  const v1::GroupChange change = Change(
      "wxid_abc:\n<sysmsg "
      "type=\"revokemsg\"><revokemsg><session>5@chatroom</session>"
      "<msgid>1040356095</msgid><newmsgid>9300000000000000123</newmsgid>"
      "<replacemsg><![CDATA[\"柚子\" 撤回了一条消息]]></replacemsg>"
      "</revokemsg></sysmsg>");
  EXPECT_EQ(change.kind(), v1::GROUP_CHANGE_KIND_MESSAGE_REVOKED);
  EXPECT_EQ(change.text(), "\"柚子\" 撤回了一条消息");
  EXPECT_EQ(change.header().sender_wx_id(), "wxid_abc");
  EXPECT_EQ(change.recalled().session(), "5@chatroom");
  EXPECT_EQ(change.recalled().msg_id(), 1040356095u);
  EXPECT_EQ(change.recalled().new_msg_id(), 9300000000000000123u);
  EXPECT_EQ(change.recalled().replace_text(), "\"柚子\" 撤回了一条消息");
}

TEST(GroupChangeTest, PrivateRecallTakesItsGroupFromNothing) {
  const v1::Event event = Decode(
      Message(10002, "wxid_friend",
              "<sysmsg type=\"revokemsg\"><revokemsg><session>wxid_friend</session><msgid>7</msgid>"
              "<newmsgid>8</newmsgid><replacemsg>\"柚子\" "
              "撤回了一条消息</replacemsg></revokemsg></sysmsg>"));
  EXPECT_EQ(event.group_change().group_id(), "");
  EXPECT_EQ(event.group_change().recalled().new_msg_id(), 8u);
}

TEST(GroupChangeTest, XmlNoticeListsItsMembers) {
  const v1::GroupChange change = Change(
      "<sysmsg type=\"sysmsgtemplate\"><sysmsgtemplate><content_template "
      "type=\"tmpl_type_profile\">"
      "<plain><![CDATA[]]></"
      "plain><template><![CDATA[\"$username$\"邀请\"$names$\"加入了群聊]]>"
      "</template><link_list><link "
      "name=\"username\"><memberlist><member><username>wxid_admin"
      "</username></member></memberlist></link><link "
      "name=\"names\"><memberlist><member>"
      "<username>wxid_a</username></member><member><username>wxid_b</"
      "username></member>"
      "</memberlist></link></link_list></content_template></sysmsgtemplate></"
      "sysmsg>");
  EXPECT_EQ(change.kind(), v1::GROUP_CHANGE_KIND_INVITED);
  EXPECT_THAT(change.member_wx_ids(), ::testing::ElementsAre("wxid_admin", "wxid_a", "wxid_b"));
  EXPECT_THAT(change.text(), HasSubstr("邀请"));
  EXPECT_EQ(change.group_id(), "5@chatroom");
}

TEST(GroupChangeTest, MalformedXmlKeepsTheText) {
  const std::string xml = "<sysmsg type=\"revokemsg\"><username>wxid_a</username>加入";
  const v1::GroupChange change = Change(xml);
  EXPECT_EQ(change.kind(), v1::GROUP_CHANGE_KIND_OTHER);
  EXPECT_EQ(change.text(), xml);
  EXPECT_TRUE(change.member_wx_ids().empty());
}

// ---- KindOf
// -------------------------------------------------------------------------

TEST(KindOfTest, MapsBridgeAndUnsetPayloads) {
  v1::Event event;
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_UNSPECIFIED);
  event.mutable_bridge_state();
  EXPECT_EQ(KindOf(event), v1::EVENT_KIND_BRIDGE_STATE);
  EXPECT_EQ(KindOf(Decode(Message(49, "a", "<msg/>"))), v1::EVENT_KIND_APP);
  EXPECT_EQ(KindOf(Decode(Message(10002, "a", "x"))), v1::EVENT_KIND_GROUP_CHANGE);
}

}  // namespace
}  // namespace wxbridge::protocol
