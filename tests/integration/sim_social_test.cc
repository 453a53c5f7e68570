// Groups (kick, invite), contact look-ups and friend requests.
#include "pugixml.hpp"
#include "tests/integration/sim_test_fixture.h"

namespace wxbridge::testing {
namespace {

// Group notices come as MsgType 10000 system notices, as the gateway's documentation
// lists their texts.
JsonPredicate NoticeFor(const std::string &account, const std::string &group) {
  return [=](const json &f) {
    return MsgTypeFor(10000, account)(f) && f.value("FromUserName", "") == group;
  };
}

TEST_P(SimTwoAccountsTest, InviteAndKickByTheOwnerNotifyEveryMember) {
  auto carol = Connect();
  LogIn(*carol, "carol");
  const std::string group = Simulator::OwnedGroupIdFor(kAlice);
  // Each invite: the ack (echo mode), then the notices.
  const auto invite = [&](const std::string &invitee) {
    const uint64_t msg_id =
        Send(*alice_, 108, {{"account", kAlice}, {"groupId", group}, {"wxId", invitee}});
    ExpectAckIfEchoing(*alice_, msg_id, kAlice);
    return Await(*alice_, NoticeFor(kAlice, group)).value("Content", "");
  };
  EXPECT_EQ(invite(bob_wx_id_), "你邀请\"模拟13800138000\"加入了群聊");
  json joined = Await(*bob_, NoticeFor(kBob, group));
  EXPECT_EQ(joined.value("Content", ""), "\"模拟alice\"邀请你加入了群聊");
  EXPECT_EQ(joined.value("ToUserName", ""), bob_wx_id_);
  EXPECT_EQ(invite(Simulator::WxIdFor("carol")), "你邀请\"模拟carol\"加入了群聊");
  json seen = Await(*bob_, NoticeFor(kBob, group));
  EXPECT_EQ(seen.value("Content", ""), "\"模拟alice\"邀请\"模拟carol\"加入了群聊");

  const uint64_t msg_id =
      Send(*alice_, 105, {{"account", kAlice}, {"groupId", group}, {"userId", bob_wx_id_}});
  ExpectAckIfEchoing(*alice_, msg_id, kAlice);
  json removed = Await(*bob_, NoticeFor(kBob, group));
  EXPECT_EQ(removed.value("Content", ""), "你被\"模拟alice\"移出群聊");
  json owner = Await(*alice_, [&](const json &f) {
    return NoticeFor(kAlice, group)(f) && f.value("Content", "").find("移出") != std::string::npos;
  });
  EXPECT_EQ(owner.value("Content", ""), "你将\"模拟13800138000\"移出了群聊");
  json other = Await(*carol, [&](const json &f) {
    return NoticeFor("carol", group)(f) && f.value("Content", "").find("移出") != std::string::npos;
  });
  EXPECT_EQ(other.value("Content", ""), "\"模拟alice\"将\"模拟13800138000\"移出了群聊");
}

TEST_P(SimTwoAccountsTest, OnlyTheOwnerMayKickAndOnlyMembers) {
  const std::string group = Simulator::OwnedGroupIdFor(kAlice);
  uint64_t msg_id =
      Send(*bob_, 105, {{"account", kBob}, {"groupId", group}, {"userId", alice_wx_id_}});
  ExpectError(*bob_, msg_id, "只有群主才能移除群成员", kBob);
  msg_id = Send(*alice_, 105, {{"account", kAlice}, {"groupId", group}, {"userId", bob_wx_id_}});
  ExpectError(*alice_, msg_id, "该用户不在群聊中", kAlice);
  msg_id =
      Send(*alice_, 105, {{"account", kAlice}, {"groupId", "1@chatroom"}, {"userId", bob_wx_id_}});
  ExpectError(*alice_, msg_id, "群不存在", kAlice);
}

TEST_P(SimTwoAccountsTest, InviteNeedsAMemberAndANewcomer) {
  const std::string group = Simulator::OwnedGroupIdFor(kAlice);
  uint64_t msg_id = Send(*bob_, 108, {{"account", kBob}, {"groupId", group}, {"wxId", bob_wx_id_}});
  ExpectError(*bob_, msg_id, "你不在该群聊中", kBob);
  msg_id =
      Send(*alice_, 108,
           {{"account", kAlice}, {"groupId", Simulator::SharedGroupId()}, {"wxId", bob_wx_id_}});
  ExpectError(*alice_, msg_id, "该用户已在群聊中", kAlice);
}

TEST_P(SimTwoAccountsTest, GetContactsAnswersKnownIdsInOrderAndSkipsUnknownOnes) {
  const std::vector<std::string> ids = {alice_wx_id_,
                                        bob_wx_id_,
                                        Simulator::SharedGroupId(),
                                        Simulator::OfficialAccountId(),
                                        "wxid_nobody",
                                        Simulator::CustomIdPersonId(),
                                        Simulator::SpecialAccountId(),
                                        alice_wx_id_ + "f0"};
  std::string list;
  for (const std::string &id : ids) list += (list.empty() ? "" : ",") + id;
  const uint64_t msg_id = Send(*alice_, 106, {{"account", kAlice}, {"wxIds", list}});
  std::vector<json> frames = Drain(*alice_);
  ASSERT_EQ(frames.size(), ids.size() - 1);
  std::size_t next = 0;
  for (const std::string &id : ids) {
    if (id == "wxid_nobody") continue;
    const json &frame = frames[next++];
    EXPECT_EQ(frame.value("UserName", ""), id);
    EXPECT_EQ(frame.value("MsgType", 0), id == alice_wx_id_ ? 101 : 2);
    EXPECT_TRUE(IsReplyTo(frame, msg_id)) << frame.dump();
    EXPECT_EQ(AccountOf(frame), kAlice);
  }
  EXPECT_EQ(frames[2].value("ChatRoomOwner", ""), "wxid_simgroupowner");
}

TEST_P(SimTwoAccountsTest, AFriendRequestArrivesAndItsTicketAcceptsIt) {
  uint64_t msg_id = Send(*alice_, 111,
                         {{"account", kAlice},
                          {"userKey", bob_wx_id_},
                          {"content", "我是 <Alice> & co"},
                          {"scene", 3}});
  ExpectAckIfEchoing(*alice_, msg_id, kAlice);
  json request = Await(*bob_, MsgTypeFor(37, kBob));
  ASSERT_TRUE(request.is_object());
  pugi::xml_document xml;
  ASSERT_TRUE(xml.load_string(request["Content"].get<std::string>().c_str()));
  pugi::xml_node msg = xml.child("msg");
  EXPECT_EQ(std::string(msg.attribute("fromusername").value()), alice_wx_id_);
  EXPECT_EQ(std::string(msg.attribute("content").value()), "我是 <Alice> & co");
  EXPECT_EQ(msg.attribute("scene").as_int(), 3);
  EXPECT_EQ(msg.attribute("opcode").as_int(), 2);
  const std::string entry_name = msg.attribute("encryptusername").value();
  const std::string ticket = msg.attribute("ticket").value();
  EXPECT_EQ(entry_name.rfind("v1_", 0), 0u);
  EXPECT_EQ(ticket.rfind("v2_", 0), 0u);

  msg_id =
      Send(*bob_, 107,
           {{"account", kBob}, {"entryName", entry_name}, {"ticket", ticket}, {"content", "ok"}});
  ExpectAckIfEchoing(*bob_, msg_id, kBob);
  json alice_sees = Await(*alice_, MsgTypeFor(2, kAlice));
  EXPECT_EQ(alice_sees.value("UserName", ""), bob_wx_id_);
  json notice = Await(*alice_, MsgTypeFor(10000, kAlice));
  EXPECT_EQ(notice.value("Content", ""), "你已添加了模拟13800138000，现在可以开始聊天了。");
  json bob_sees = Await(*bob_, MsgTypeFor(2, kBob));
  EXPECT_EQ(bob_sees.value("UserName", ""), alice_wx_id_);

  msg_id = Send(*bob_, 107, {{"account", kBob}, {"entryName", entry_name}, {"ticket", ticket}});
  ExpectError(*bob_, msg_id, "好友请求已失效", kBob);
}

TEST_P(SimTwoAccountsTest, AFriendRequestNeedsAKnownScene) {
  const uint64_t msg_id =
      Send(*alice_, 111, {{"account", kAlice}, {"userKey", bob_wx_id_}, {"scene", 4}});
  ExpectError(*alice_, msg_id, "invalid scene: 1, 2, 3 or 15", kAlice);
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTwoAccountsTest, kBothAckModes, AckModeName);

}  // namespace
}  // namespace wxbridge::testing
