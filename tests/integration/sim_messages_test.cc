// Messages between accounts: text, links and images, to a person and to a
// group.
#include "pugixml.hpp"
#include "server/protocol/base64.h"
#include "tests/integration/sim_test_fixture.h"

namespace wxbridge::testing {
namespace {

TEST_P(SimTwoAccountsTest, TextReachesTheAccountLoggedInAsTheRecipient) {
  const uint64_t msg_id =
      Send(*alice_, 103, {{"account", kAlice}, {"toUserName", bob_wx_id_}, {"content", "你好"}});
  ExpectAckIfEchoing(*alice_, msg_id, kAlice);
  json text = Await(*bob_, MsgTypeFor(1, kBob));
  ASSERT_TRUE(text.is_object());
  EXPECT_EQ(text["FromUserName"], alice_wx_id_);
  EXPECT_EQ(text["ToUserName"], bob_wx_id_);
  EXPECT_EQ(text["Content"], "你好");
  EXPECT_EQ(text["PushContent"], "模拟alice : 你好");
  EXPECT_EQ(text["MsgSource"], "<msgsource/>");
  EXPECT_EQ(text["Status"], 3);
  EXPECT_EQ(text["ImgStatus"], 1);
  EXPECT_GT(text["CreateTime"].get<int64_t>(), 1500000000);
  EXPECT_GT(NewMsgIdOf(text), 9223372036854775807u);  // above 2^63-1, exact
  EXPECT_TRUE(text["account"].is_number_integer());

  Send(*bob_, 103, {{"account", kBob}, {"toUserName", alice_wx_id_}, {"content", "hi"}});
  json reply = Await(*alice_, MsgTypeFor(1, kAlice));
  EXPECT_EQ(reply.value("Content", ""), "hi");
}

TEST_P(SimTwoAccountsTest, GroupTextReachesTheOtherMembersWithTheSenderInFront) {
  const uint64_t msg_id = Send(*alice_, 103,
                               {{"account", kAlice},
                                {"toUserName", Simulator::SharedGroupId()},
                                {"content", "hello group"}});
  ExpectAckIfEchoing(*alice_, msg_id, kAlice);
  json text = Await(*bob_, MsgTypeFor(1, kBob));
  ASSERT_TRUE(text.is_object());
  EXPECT_EQ(text["FromUserName"], Simulator::SharedGroupId());
  EXPECT_EQ(text["ToUserName"], bob_wx_id_);
  EXPECT_EQ(text["Content"], alice_wx_id_ + ":\nhello group");
  for (const json &frame : Drain(*alice_)) EXPECT_NE(frame.value("MsgType", 0), 1);
}

TEST_P(SimTwoAccountsTest, TextToAGroupTheSenderIsNotInFails) {
  const uint64_t msg_id = Send(*bob_, 103,
                               {{"account", kBob},
                                {"toUserName", Simulator::OwnedGroupIdFor(kAlice)},
                                {"content", "let me in"}});
  ExpectError(*bob_, msg_id, "你不在该群聊中", kBob);
}

TEST_P(SimTwoAccountsTest, TextToAnUnknownRecipientIsAcceptedAndGoesNowhere) {
  const uint64_t msg_id =
      Send(*alice_, 103, {{"account", kAlice}, {"toUserName", "wxid_stranger"}, {"content", "x"}});
  ExpectAckIfEchoing(*alice_, msg_id, kAlice);
  EXPECT_TRUE(Drain(*bob_).empty());
}

// The gateway pastes code 104's fields into the card's XML as they are (its own sample's
// url is escaped): a client escapes them, and the card parses back to the plain text.
TEST_P(SimTwoAccountsTest, ALinkArrivesAsAnAppMessageWithTheFieldsPastedIn) {
  const std::string title = "一张图 <看懂> & \"co\"";
  const uint64_t msg_id = Send(*alice_, 104,
                               {{"account", kAlice},
                                {"toUserName", bob_wx_id_},
                                {"title", "一张图 &lt;看懂&gt; &amp; &quot;co&quot;"},
                                {"des", "只要你说"},
                                {"url", "http://example.com/a?b=1&amp;c=2"},
                                {"cdnthumburl", "304c02"},
                                {"cdnthumblength", 3855},
                                {"cdnthumbheight", "160"}});
  ExpectAckIfEchoing(*alice_, msg_id, kAlice);
  json link = Await(*bob_, MsgTypeFor(49, kBob));
  ASSERT_TRUE(link.is_object());
  pugi::xml_document xml;
  ASSERT_TRUE(xml.load_string(link["Content"].get<std::string>().c_str())) << link["Content"];
  pugi::xml_node appmsg = xml.child("msg").child("appmsg");
  EXPECT_STREQ(appmsg.child_value("title"), title.c_str());
  EXPECT_STREQ(appmsg.child_value("des"), "只要你说");
  EXPECT_STREQ(appmsg.child_value("type"), "5");
  EXPECT_STREQ(appmsg.child_value("url"), "http://example.com/a?b=1&c=2");
  EXPECT_STREQ(appmsg.child("appattach").child_value("cdnthumblength"), "3855");
}

TEST_P(SimTwoAccountsTest, AnImageArrivesWithItsLengthAndAThumbnail) {
  std::string image(3000, '\0');
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>(i * 31);
  const uint64_t msg_id = Send(*alice_, 109,
                               {{"account", kAlice},
                                {"toUserWxId", Simulator::SharedGroupId()},
                                {"imgBuff", protocol::Base64Encode(image)}});
  ExpectAckIfEchoing(*alice_, msg_id, kAlice);
  json received = Await(*bob_, MsgTypeFor(3, kBob));
  ASSERT_TRUE(received.is_object());
  EXPECT_EQ(received["FromUserName"], Simulator::SharedGroupId());
  const std::string content = received["Content"];
  const std::string prefix = alice_wx_id_ + ":\n";
  ASSERT_EQ(content.rfind(prefix, 0), 0u) << content;
  pugi::xml_document xml;
  ASSERT_TRUE(xml.load_string(content.substr(prefix.size()).c_str())) << content;
  pugi::xml_node img = xml.child("msg").child("img");
  EXPECT_EQ(img.attribute("length").as_int(), 3000);
  EXPECT_EQ(std::string(img.attribute("md5").value()).size(), 32u);
  EXPECT_FALSE(std::string(img.attribute("cdnthumburl").value()).empty());
  std::optional<std::string> thumbnail =
      protocol::Base64Decode(received["data"].get<std::string>());
  ASSERT_TRUE(thumbnail.has_value());
  EXPECT_EQ(*thumbnail, image.substr(0, thumbnail->size()));
}

TEST_P(SimTwoAccountsTest, AnImageThatIsNotBase64IsAnError) {
  const uint64_t msg_id = Send(
      *alice_, 109, {{"account", kAlice}, {"toUserWxId", bob_wx_id_}, {"imgBuff", "@@not base64"}});
  ExpectError(*alice_, msg_id, "imgBuff is not valid base64", kAlice);
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTwoAccountsTest, kBothAckModes, AckModeName);

}  // namespace
}  // namespace wxbridge::testing
