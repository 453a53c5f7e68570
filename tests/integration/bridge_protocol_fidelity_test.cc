// Protocol fidelity end to end (bridge + simulator, both ack modes): group notices as
// MsgType 10000 complete Kick/Invite, recalls name the recalled message exactly,
// messages the account sent itself carry their group, every command response carries the
// events that completed it, NewMsgIds above 2^63 survive, link cards are escaped once,
// and the pushes only the simulator's samples produce are typed.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/protocol/message_decoder.h"
#include "tests/integration/bridge_harness.h"

namespace wxbridge::testing {
namespace {

using sim::AckMode;
using sim::SamplePush;
using sim::Simulator;
using ::testing::HasSubstr;

// NewMsgId as the frame spelled it (a number or a string), exactly.
uint64_t RawNewMsgId(const v1::Event& event) {
  const nlohmann::json frame = nlohmann::json::parse(event.raw_json());
  const nlohmann::json& id = frame.at("NewMsgId");
  return id.is_string() ? std::stoull(id.get<std::string>()) : id.get<uint64_t>();
}

class ProtocolFidelityTest : public ::testing::TestWithParam<AckMode> {
 protected:
  ProtocolFidelityTest() : harness_(HarnessOptions{GetParam()}) { stream_ = harness_.Subscribe(); }

  void LogInAliceAndBob() {
    ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
    ASSERT_TRUE(harness_.LogIn(bob_, *stream_));
  }

  // A push of `sample` to Alice, as typed by the bridge.
  std::optional<v1::Event> Sample(SamplePush sample,
                                  const std::function<bool(const v1::Event&)>& is) {
    harness_.sim().PushSample(alice_, sample);
    return stream_->WaitForEvent(
        [&](const v1::Event& e) { return e.account() == alice_ && is(e); });
  }

  v1::BridgeService::Stub& stub() { return harness_.stub(); }

  BridgeHarness harness_;
  std::unique_ptr<EventStream> stream_;
  const std::string alice_ = "alice";
  const std::string bob_ = "13800138000";
  const std::string alice_wxid_ = Simulator::WxIdFor("alice");
  const std::string bob_wxid_ = Simulator::WxIdFor("13800138000");
};

TEST_P(ProtocolFidelityTest, KickAndInviteCompleteOnTheirMsgType10000Notice) {
  LogInAliceAndBob();
  const std::string group = Simulator::OwnedGroupIdFor(alice_);
  v1::InviteToGroupRequest invite;
  invite.set_account(alice_);
  invite.set_group_id(group);
  invite.set_wx_id(bob_wxid_);
  v1::InviteToGroupResponse invited;
  grpc::Status status = stub().InviteToGroup(Context().get(), invite, &invited);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::KickGroupMemberRequest kick;
  kick.set_account(alice_);
  kick.set_group_id(group);
  kick.set_user_id(bob_wxid_);
  v1::KickGroupMemberResponse kicked;
  status = stub().KickGroupMember(Context().get(), kick, &kicked);
  ASSERT_TRUE(status.ok()) << status.error_message();

  if (GetParam() == AckMode::kNone) {
    // No echo: each call completed on the notice, which its response carries, typed.
    EXPECT_EQ(invited.ack().completion(), v1::COMPLETION_EFFECT);
    EXPECT_EQ(invited.change().kind(), v1::GROUP_CHANGE_KIND_INVITED);
    EXPECT_TRUE(invited.change().actor_is_self());
    EXPECT_THAT(invited.change().member_names(), ::testing::ElementsAre("模拟13800138000"));
    EXPECT_EQ(invited.change().header().group_id(), group);
    EXPECT_EQ(kicked.ack().completion(), v1::COMPLETION_EFFECT);
    EXPECT_EQ(kicked.change().kind(), v1::GROUP_CHANGE_KIND_REMOVED);
    EXPECT_EQ(kicked.change().group_id(), group);
    ASSERT_EQ(kicked.replies_size(), 1);
    EXPECT_EQ(kicked.replies(0).msg_type(), 10000);
    EXPECT_EQ(kicked.replies(0).seq(), kicked.ack().reply_seq());
    EXPECT_THAT(kicked.replies(0).raw_json(), HasSubstr("移出了群聊"));
  } else {
    EXPECT_EQ(kicked.ack().completion(), v1::COMPLETION_ECHOED);
    ASSERT_EQ(kicked.replies_size(), 1);
    EXPECT_EQ(kicked.replies(0).seq(), kicked.ack().reply_seq());
  }
  // Bob hears both as typed notices of the group.
  auto removed = stream_->WaitForEvent([&](const v1::Event& e) {
    const v1::GroupChange* change = protocol::GroupChangeOf(e);
    return e.account() == bob_ && change != nullptr && change->group_id() == group &&
           change->kind() == v1::GROUP_CHANGE_KIND_REMOVED;
  });
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->msg_type(), 10000);
  EXPECT_TRUE(protocol::GroupChangeOf(*removed)->members_include_self());
  EXPECT_EQ(protocol::GroupChangeOf(*removed)->actor_name(), "模拟alice");
}

TEST_P(ProtocolFidelityTest, ARecallNamesTheRecalledMessageExactly) {
  ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
  auto said = Sample(SamplePush::kRecall, [](const v1::Event& e) { return e.has_text(); });
  ASSERT_TRUE(said);
  auto recall = stream_->WaitForEvent([&](const v1::Event& e) {
    return e.account() == alice_ && e.has_group_change() &&
           e.group_change().kind() == v1::GROUP_CHANGE_KIND_MESSAGE_REVOKED;
  });
  ASSERT_TRUE(recall);
  const v1::RecalledMessage& recalled = recall->group_change().recalled();
  EXPECT_EQ(recalled.new_msg_id(), said->text().header().new_msg_id());
  EXPECT_GT(recalled.new_msg_id(), 9223372036854775807u);
  EXPECT_EQ(recalled.msg_id(), static_cast<uint64_t>(said->msg_id()));
  EXPECT_EQ(recalled.session(), Simulator::SharedGroupId());
  EXPECT_THAT(recalled.replace_text(), HasSubstr("撤回了一条消息"));
  EXPECT_EQ(recall->group_change().group_id(), Simulator::SharedGroupId());
}

TEST_P(ProtocolFidelityTest, AMessageTheAccountSentItselfCarriesItsGroup) {
  ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
  auto own =
      Sample(SamplePush::kSelfSentGroupText, [](const v1::Event& e) { return e.has_text(); });
  ASSERT_TRUE(own);
  EXPECT_EQ(own->text().header().from_user_name(), alice_wxid_);
  EXPECT_EQ(own->text().header().group_id(), Simulator::SharedGroupId());
  EXPECT_EQ(own->text().header().sender_wx_id(), alice_wxid_);
}

TEST_P(ProtocolFidelityTest, GroupNoticesOnlyVisibleAsMsgType10000AreTyped) {
  ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
  const auto is_change = [](v1::GroupChangeKind kind) {
    return [kind](const v1::Event& e) {
      const v1::GroupChange* change = protocol::GroupChangeOf(e);
      return change != nullptr && change->kind() == kind;
    };
  };
  auto joined = Sample(SamplePush::kGroupJoinedByQr, is_change(v1::GROUP_CHANGE_KIND_JOINED));
  ASSERT_TRUE(joined);
  const v1::GroupChange& join = joined->system_notice().group_change();
  EXPECT_EQ(join.group_id(), Simulator::SharedGroupId());
  EXPECT_EQ(join.actor_name(), "群管理员");
  EXPECT_EQ(join.member_names_size(), 1);
  auto renamed = Sample(SamplePush::kGroupRenamed, is_change(v1::GROUP_CHANGE_KIND_RENAMED));
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->system_notice().group_change().new_name(), "新的群");
  EXPECT_EQ(renamed->system_notice().group_change().actor_name(), "群管理员");
}

TEST_P(ProtocolFidelityTest, EveryNewMsgIdIsKeptExactlyAboveTwoToTheSixtyThree) {
  LogInAliceAndBob();
  // The simulator writes odd ids as strings and even ones as numbers, all above 2^63.
  bool saw_string = false;
  bool saw_number = false;
  for (int i = 0; i < 4; ++i) {
    const std::string content = "id " + std::to_string(i);
    ASSERT_TRUE(harness_.SendText(alice_, bob_wxid_, content).ok());
    auto text = stream_->WaitForEvent([&](const v1::Event& e) { return IsText(e, bob_, content); });
    ASSERT_TRUE(text);
    EXPECT_EQ(text->text().header().new_msg_id(), RawNewMsgId(*text));
    EXPECT_GT(text->text().header().new_msg_id(), 9223372036854775807u);
    const bool as_string = nlohmann::json::parse(text->raw_json()).at("NewMsgId").is_string();
    saw_string = saw_string || as_string;
    saw_number = saw_number || !as_string;
  }
  EXPECT_TRUE(saw_string);
  EXPECT_TRUE(saw_number);
}

TEST_P(ProtocolFidelityTest, ResponsesCarryTheEventsThatCompletedThemWhole) {
  v1::LoginRequest login;
  login.set_account(alice_);
  v1::LoginResponse login_response;
  ASSERT_TRUE(stub().Login(Context().get(), login, &login_response).ok());
  ASSERT_EQ(login_response.replies_size(), 1);
  EXPECT_EQ(login_response.replies(0).seq(), login_response.ack().reply_seq());
  // The QR data exactly as the gateway sent it (base64 of a PNG), beside the decoded image.
  EXPECT_THAT(login_response.replies(0).raw_json(), HasSubstr("iVBORw0KGgo"));
  EXPECT_FALSE(login_response.status().qr_image().empty());
  ASSERT_TRUE(stream_->WaitForEvent(
      [&](const v1::Event& e) { return IsLoginStatus(e, alice_, v1::LOGIN_STATUS_LOGGED_IN); }));

  v1::GetContactsRequest contacts;
  contacts.set_account(alice_);
  contacts.add_wx_ids(Simulator::SharedGroupId());
  contacts.add_wx_ids(Simulator::OfficialAccountId());
  v1::GetContactsResponse found;
  ASSERT_TRUE(stub().GetContacts(Context().get(), contacts, &found).ok());
  ASSERT_EQ(found.replies_size(), 2);
  for (const v1::Event& reply : found.replies()) {
    // Fields the typed Contact does not hold are in raw_json.
    EXPECT_THAT(reply.raw_json(), HasSubstr("\"LabelLists\""));
    EXPECT_THAT(reply.raw_json(), HasSubstr("\"ExtInfoExt\""));
    EXPECT_FALSE(reply.truncated());
  }
  EXPECT_EQ(found.replies(0).contact().user_name(), Simulator::SharedGroupId());

  v1::SendTextResponse sent;
  v1::SendTextRequest text;
  text.set_account(alice_);
  text.set_to_user_name(Simulator::SharedGroupId());
  text.set_content("hi");
  ASSERT_TRUE(stub().SendText(Context().get(), text, &sent).ok());
  // Echoed: the ack frame; written (no echo): nothing completed it.
  EXPECT_EQ(sent.replies_size(), GetParam() == AckMode::kEcho ? 1 : 0);
}

TEST_P(ProtocolFidelityTest, ALinkCardIsEscapedOnceAndArrivesAsSent) {
  LogInAliceAndBob();
  v1::SendLinkRequest request;
  request.set_account(alice_);
  request.set_to_user_name(bob_wxid_);
  request.set_title("<wxbridge> & \"co\"");
  request.set_description("a < b");
  // The document's own url, unescaped: the bridge escapes it as the document shows.
  const std::string url =
      "http://mp.weixin.qq.com/s?__biz=MjM5MTk4MzkyMA==&mid=2247484875&idx=1&scene=1#rd";
  request.set_url(url);
  request.mutable_thumbnail()->set_cdn_url("304c0201");
  request.mutable_thumbnail()->set_md5("fee4c3e149ccc3404c5747024f137fcd");
  request.mutable_thumbnail()->set_length(3855);
  request.mutable_thumbnail()->set_height(160);
  request.mutable_thumbnail()->set_aes_key("1bd2890a9d5a450a9f07b91ee5d4efa8");
  v1::SendLinkResponse response;
  grpc::Status status = stub().SendLink(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // On the wire: escaped once, as in the document's sample.
  ASSERT_TRUE(harness_.sim().WaitForReceived(
      [](const std::vector<std::string>& frames) {
        for (const auto& f : frames) {
          if (f.find("\"code\":104") != std::string::npos) return true;
        }
        return false;
      },
      kWait));
  for (const std::string& frame : harness_.sim().ReceivedFrames()) {
    if (frame.find("\"code\":104") == std::string::npos) continue;
    const nlohmann::json data = nlohmann::json::parse(frame).at("data");
    EXPECT_EQ(data.at("url"),
              "http://mp.weixin.qq.com/s?__biz=MjM5MTk4MzkyMA==&amp;mid=2247484875"
              "&amp;idx=1&amp;scene=1#rd");
    EXPECT_EQ(data.at("title"), "&lt;wxbridge&gt; &amp; &quot;co&quot;");
  }
  auto card =
      stream_->WaitForEvent([&](const v1::Event& e) { return e.account() == bob_ && e.has_app(); });
  ASSERT_TRUE(card);
  EXPECT_EQ(card->app().title(), "<wxbridge> & \"co\"");
  EXPECT_EQ(card->app().description(), "a < b");
  EXPECT_EQ(card->app().url(), url);
  // The thumbnail comes back in appattach, ready to send the card on.
  const v1::AppAttachment& attachment = card->app().attachment();
  EXPECT_EQ(attachment.cdn_thumb_url(), "304c0201");
  EXPECT_EQ(attachment.cdn_thumb_md5(), "fee4c3e149ccc3404c5747024f137fcd");
  EXPECT_EQ(attachment.cdn_thumb_length(), 3855);
  EXPECT_EQ(attachment.cdn_thumb_height(), 160);
  EXPECT_EQ(attachment.cdn_thumb_aes_key(), "1bd2890a9d5a450a9f07b91ee5d4efa8");
}

TEST_P(ProtocolFidelityTest, LocationFileAndMiniProgramPushesAreTyped) {
  ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
  auto location =
      Sample(SamplePush::kLocation, [](const v1::Event& e) { return e.has_location(); });
  ASSERT_TRUE(location);
  EXPECT_EQ(location->msg_type(), 48);
  EXPECT_EQ(location->location().scale(), 16);  // sent as "16.0"
  EXPECT_EQ(location->location().poi_name(), "天安门广场");
  EXPECT_NEAR(location->location().latitude(), 39.90886, 1e-9);

  auto file = Sample(SamplePush::kFile, [](const v1::Event& e) {
    return e.has_app() && e.app().kind() == v1::APP_KIND_FILE;
  });
  ASSERT_TRUE(file);
  EXPECT_EQ(file->app().file_size(), 482137);
  EXPECT_EQ(file->app().file_ext(), "pdf");
  EXPECT_EQ(file->app().attachment().encrypt_version(), 1);
  EXPECT_FALSE(file->app().attachment().attach_id().empty());
  // CreateTime came in milliseconds: the timestamp is still now, not the year 49000.
  const int64_t sent_ms = nlohmann::json::parse(file->raw_json()).at("CreateTime").get<int64_t>();
  EXPECT_EQ(file->app().header().create_time().seconds(), sent_ms / 1000);
  EXPECT_NEAR(file->app().header().create_time().seconds(), file->received_at().seconds(), 60);

  auto mini = Sample(SamplePush::kMiniProgram, [](const v1::Event& e) {
    return e.has_app() && e.app().kind() == v1::APP_KIND_MINI_PROGRAM;
  });
  ASSERT_TRUE(mini);
  EXPECT_EQ(mini->app().app_type(), 33);
  EXPECT_EQ(mini->app().app_id(), "wxd9a8bc3d1f3e2a7b");
}

TEST_P(ProtocolFidelityTest, AnImageKeepsItsThumbnailKeyAndSizes) {
  LogInAliceAndBob();
  v1::SendImageRequest request;
  request.set_account(alice_);
  request.set_to_user_name(bob_wxid_);
  request.set_image(std::string(2048, 'x'));
  v1::SendImageResponse response;
  ASSERT_TRUE(stub().SendImage(Context().get(), request, &response).ok());
  auto image = stream_->WaitForEvent(
      [&](const v1::Event& e) { return e.account() == bob_ && e.has_image(); });
  ASSERT_TRUE(image);
  EXPECT_EQ(image->image().encrypt_version(), 1);
  EXPECT_EQ(image->image().cdn_thumb_aes_key().size(), 32u);
  EXPECT_EQ(image->image().length(), 2048);
  EXPECT_THAT(image->raw_json(), HasSubstr("cdnhdwidth"));
}

TEST_P(ProtocolFidelityTest, AFriendRequestCarriesTheRequestersProfile) {
  LogInAliceAndBob();
  v1::AddFriendRequest request;
  request.set_account(alice_);
  request.set_user_key(bob_wxid_);
  request.set_content("我是 alice");
  request.set_scene(v1::ADD_FRIEND_SCENE_WECHAT_ID);
  v1::AddFriendResponse response;
  ASSERT_TRUE(stub().AddFriend(Context().get(), request, &response).ok());
  auto asked = stream_->WaitForEvent(
      [&](const v1::Event& e) { return e.account() == bob_ && e.has_friend_request(); });
  ASSERT_TRUE(asked);
  const v1::FriendRequest& from = asked->friend_request();
  EXPECT_FALSE(from.alias().empty());
  EXPECT_EQ(from.province(), "Guangdong");
  EXPECT_EQ(from.city(), "Shenzhen");
  EXPECT_EQ(from.signature(), "wxbridge 模拟账号");
  EXPECT_THAT(from.big_head_img_url(), HasSubstr("/132"));
  EXPECT_THAT(from.small_head_img_url(), HasSubstr("/0"));
}

// Login statuses 5 and 6, which a normal walk never reaches.
TEST(LoginOutcomeTest, AnUnscannedQrCodeTimesOutAndAFailedLoginSaysSo) {
  HarnessOptions options;
  options.configure_simulator = [](sim::SimulatorConfig& config) {
    config.scan_delay = std::chrono::minutes(10);  // nobody scans
    config.qr_timeout = std::chrono::milliseconds(200);
  };
  BridgeHarness harness(options);
  auto stream = harness.Subscribe();
  v1::LoginRequest login;
  login.set_account("alice");
  v1::LoginResponse response;
  ASSERT_TRUE(harness.stub().Login(Context().get(), login, &response).ok());
  EXPECT_EQ(response.status().status(), v1::LOGIN_STATUS_WAITING_FOR_SCAN);
  auto timed_out = stream->WaitForEvent(
      [](const v1::Event& e) { return IsLoginStatus(e, "alice", v1::LOGIN_STATUS_TIMED_OUT); });
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->login_status().message(), "二维码已过期");
  EXPECT_TRUE(harness.sim().LoggedInAccounts().empty());

  BridgeHarness failing;
  failing.sim().SetLoginsFail(true);
  auto failing_stream = failing.Subscribe();
  login.set_account("bob");
  ASSERT_TRUE(failing.stub().Login(Context().get(), login, &response).ok());
  ASSERT_TRUE(failing_stream->WaitForEvent(
      [](const v1::Event& e) { return IsLoginStatus(e, "bob", v1::LOGIN_STATUS_FAILED); }));
  EXPECT_TRUE(failing.sim().LoggedInAccounts().empty());
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, ProtocolFidelityTest,
                         ::testing::Values(AckMode::kEcho, AckMode::kNone), [](const auto& info) {
                           return info.param == AckMode::kEcho ? "echo" : "none";
                         });

}  // namespace
}  // namespace wxbridge::testing
