// The login walk, logout, and commands of accounts that are not logged in.
#include <png.h>

#include <set>

#include "server/protocol/base64.h"
#include "tests/integration/sim_test_fixture.h"

namespace wxbridge::testing {
namespace {

// Decodes a PNG with libpng; false when it is not one.
bool DecodePng(const std::string &bytes, png_uint_32 *width, png_uint_32 *height) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return false;
  image.format = PNG_FORMAT_GRAY;
  std::string pixels(PNG_IMAGE_SIZE(image), '\0');
  const bool ok = png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr) != 0;
  *width = image.width;
  *height = image.height;
  return ok && pixels.find('\0') != std::string::npos;  // some dark modules
}

bool IsPush(const json &frame) {
  return frame.value("MsgId", uint64_t{0}) >= 1000000000u &&
         NewMsgIdOf(frame) > 9223372036854775807u && !frame.contains("cmdId");
}

TEST_P(SimTest, LoginWalksFromAQrCodeToLoggedInThenSendsTheContacts) {
  auto client = Connect();
  const uint64_t msg_id = Send(*client, 101, {{"account", "alice"}});
  json qr = Await(*client, StatusFor("alice", 1));
  ASSERT_TRUE(qr.is_object());
  EXPECT_TRUE(IsReplyTo(qr, msg_id)) << qr.dump();
  const json content = StatusContent(qr);
  EXPECT_EQ(content["msg"], "等待扫码");
  EXPECT_EQ(content["wxId"], "");
  std::optional<std::string> png = protocol::Base64Decode(content["data"].get<std::string>());
  ASSERT_TRUE(png.has_value());
  ASSERT_GE(png->size(), 8u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  png_uint_32 width = 0, height = 0;
  EXPECT_TRUE(DecodePng(*png, &width, &height));
  EXPECT_GT(width, 21u);
  EXPECT_EQ(width, height);

  const std::string wx_id = Simulator::WxIdFor("alice");
  for (auto [status, msg] :
       {std::pair{3, "已扫码，已确认"}, {4, "正在登陆中"}, {7, "已成功登录"}}) {
    json frame = Await(*client, StatusFor("alice", status));
    ASSERT_TRUE(frame.is_object()) << "no status " << status;
    EXPECT_TRUE(IsPush(frame)) << frame.dump();
    EXPECT_EQ(StatusContent(frame)["msg"], msg);
    EXPECT_EQ(StatusContent(frame)["wxId"], wx_id);
  }
  json self = Await(*client, MsgTypeFor(101, "alice"));
  ASSERT_TRUE(self.is_object());
  EXPECT_EQ(self["UserName"], wx_id);
  EXPECT_EQ(self["NickName"], "模拟alice");
  for (const char *field : {"BindUin", "BindEmail", "BindMobile", "Sex", "Signature"}) {
    EXPECT_TRUE(self.contains(field)) << field;
  }
  EXPECT_FALSE(self.contains("Content"));

  std::set<std::string> contacts;
  const std::string owned = Simulator::OwnedGroupIdFor("alice");
  json frame;
  do {
    frame = Await(*client, MsgTypeFor(2, "alice"));
    ASSERT_TRUE(frame.is_object()) << "contact list ended early";
    EXPECT_TRUE(IsPush(frame)) << frame.dump();
    contacts.insert(frame["UserName"].get<std::string>());
    const std::string name = frame["UserName"];
    if (name == Simulator::OfficialAccountId()) {
      EXPECT_TRUE(ParseFrame(frame["ExtInfo"].get<std::string>()).is_object());
    }
    if (name == Simulator::SharedGroupId()) {
      EXPECT_NE(frame["ChatRoomOwner"], "");
    }
    if (name == owned) {
      EXPECT_EQ(frame["ChatRoomOwner"], wx_id);
    }
  } while (frame["UserName"] != owned);
  for (int n = 0; n < kWorldSize; ++n) {
    EXPECT_EQ(contacts.count(wx_id + "f" + std::to_string(n)), 1u) << n;
  }
  for (const std::string &id : {Simulator::CustomIdPersonId(), Simulator::OfficialAccountId(),
                                Simulator::SpecialAccountId(), Simulator::SharedGroupId()}) {
    EXPECT_EQ(contacts.count(id), 1u) << id;
  }
  EXPECT_EQ(sim().LoggedInAccounts(), std::vector<std::string>{"alice"});
}

TEST_P(SimTest, LoginOfALoggedInAccountAnswersLoggedInAtOnce) {
  auto client = Connect();
  LogIn(*client, "alice");
  const uint64_t msg_id = Send(*client, 101, {{"account", "alice"}});
  json frame = Await(*client, MsgTypeFor(0, "alice"));
  ASSERT_TRUE(frame.is_object());
  EXPECT_TRUE(IsReplyTo(frame, msg_id)) << frame.dump();
  EXPECT_EQ(StatusContent(frame)["status"], 7);
}

TEST_P(SimTest, LoginWithoutAnAccountIsAnError) {
  auto client = Connect();
  const uint64_t msg_id = Send(*client, 101, {{"account", ""}});
  ExpectError(*client, msg_id, "account is required");
}

TEST_P(SimTest, LogoutAnswersLoggedOutAndEndsTheSession) {
  auto client = Connect();
  LogIn(*client, "alice");
  uint64_t msg_id = Send(*client, 102, {{"account", "alice"}});
  json frame = Await(*client, StatusFor("alice", 8));
  ASSERT_TRUE(frame.is_object());
  EXPECT_TRUE(IsReplyTo(frame, msg_id)) << frame.dump();
  EXPECT_EQ(StatusContent(frame)["msg"], "已退出登录");
  EXPECT_TRUE(sim().LoggedInAccounts().empty());

  msg_id = Send(*client, 102, {{"account", "alice"}});
  ExpectError(*client, msg_id, "账号未登录", "alice");
}

TEST_P(SimTest, CommandsOfAnAccountThatIsNotLoggedInFail) {
  auto client = Connect();
  for (int code : {103, 104, 105, 106, 107, 108, 109, 111}) {
    SCOPED_TRACE(code);
    const uint64_t msg_id = Send(*client, code, {{"account", "nobody"}});
    ExpectError(*client, msg_id, "账号未登录", "nobody");
  }
}

TEST_P(SimTest, NumericAccountsTravelAsNumbers) {
  auto client = Connect();
  LogIn(*client, "13800138000");
  Send(*client, 101, {{"account", "13800138000"}});
  json frame = Await(*client, MsgTypeFor(0, "13800138000"));
  ASSERT_TRUE(frame.is_object());
  EXPECT_TRUE(frame["account"].is_number_integer()) << frame.dump();
  EXPECT_EQ(frame["account"].get<int64_t>(), 13800138000);

  // A leading zero would not survive as a number: such accounts stay strings.
  Send(*client, 101, {{"account", "0123"}});
  frame = Await(*client, MsgTypeFor(0, "0123"));
  ASSERT_TRUE(frame.is_object());
  EXPECT_TRUE(frame["account"].is_string()) << frame.dump();
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTest, kBothAckModes, AckModeName);

}  // namespace
}  // namespace wxbridge::testing
