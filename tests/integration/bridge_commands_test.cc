// Every command RPC end to end: gRPC client -> wxbridge -> WebSocket -> simulator, and
// back as typed events, against a gateway that echoes msgId/cmdId and one that does not.
#include <string>

#include "gtest/gtest.h"
#include "server/protocol/message_decoder.h"
#include "tests/integration/bridge_harness.h"

namespace wxbridge::testing {
namespace {

using sim::AckMode;
using sim::Simulator;

class BridgeCommandsTest : public ::testing::TestWithParam<AckMode> {
 protected:
  BridgeCommandsTest() : harness_(HarnessOptions{GetParam()}) { stream_ = harness_.Subscribe(); }

  // Logs in two accounts that the tests make talk to each other.
  void LogInAliceAndBob() {
    ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
    ASSERT_TRUE(harness_.LogIn(bob_, *stream_));
  }

  v1::BridgeService::Stub& stub() { return harness_.stub(); }

  BridgeHarness harness_;
  std::unique_ptr<EventStream> stream_;
  const std::string alice_ = "alice";
  const std::string bob_ = "13800138000";  // digits: the gateway may send it as a number
  const std::string alice_wxid_ = Simulator::WxIdFor("alice");
  const std::string bob_wxid_ = Simulator::WxIdFor("13800138000");
};

TEST_P(BridgeCommandsTest, LoginReturnsTheQrCodeAndTheWalkToLoggedInIsStreamed) {
  v1::LoginRequest request;
  request.set_account(alice_);
  v1::LoginResponse response;
  grpc::Status status = stub().Login(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status().status(), v1::LOGIN_STATUS_WAITING_FOR_SCAN);
  ASSERT_GE(response.status().qr_image().size(), 8u);
  EXPECT_EQ(response.status().qr_image().substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_NE(response.ack().request_id(), 0u);
  EXPECT_FALSE(response.ack().cmd_id().empty());
  EXPECT_EQ(response.ack().gateway_acknowledged(), GetParam() == AckMode::kEcho);

  for (auto step :
       {v1::LOGIN_STATUS_SCANNED, v1::LOGIN_STATUS_LOGGING_IN, v1::LOGIN_STATUS_LOGGED_IN}) {
    EXPECT_TRUE(stream_->WaitForEvent([&](const v1::Event& e) {
      return IsLoginStatus(e, alice_, step);
    })) << "missing status "
        << v1::LoginStatus_Name(step);
  }
  auto self = stream_->WaitForEvent([&](const v1::Event& e) {
    return e.account() == alice_ && e.has_contact() && e.contact().kind() == v1::CONTACT_KIND_SELF;
  });
  ASSERT_TRUE(self);
  EXPECT_EQ(self->contact().user_name(), alice_wxid_);
  EXPECT_EQ(self->msg_type(), 101);
}

TEST_P(BridgeCommandsTest, LogoutCompletesOnLoggedOut) {
  ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
  v1::LogoutRequest request;
  request.set_account(alice_);
  v1::LogoutResponse response;
  grpc::Status status = stub().Logout(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status().status(), v1::LOGIN_STATUS_LOGGED_OUT);
}

TEST_P(BridgeCommandsTest, SendTextArrivesAsATypedTextEventForTheRecipient) {
  LogInAliceAndBob();
  v1::SendTextRequest request;
  request.set_account(alice_);
  request.set_to_user_name(bob_wxid_);
  request.set_content("你好, Bob");
  v1::SendTextResponse response;
  grpc::Status status = stub().SendText(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(response.ack().request_id(), 0u);

  auto text = stream_->WaitForEvent(
      [&](const v1::Event& e) { return e.account() == bob_ && e.has_text(); });
  ASSERT_TRUE(text);
  EXPECT_EQ(text->msg_type(), 1);
  EXPECT_EQ(text->text().text(), "你好, Bob");
  EXPECT_EQ(text->text().header().from_user_name(), alice_wxid_);
  EXPECT_EQ(text->text().header().sender_wx_id(), alice_wxid_);
  EXPECT_EQ(text->text().header().to_user_name(), bob_wxid_);
}

TEST_P(BridgeCommandsTest, GroupTextNamesTheRealSender) {
  LogInAliceAndBob();
  v1::SendTextRequest request;
  request.set_account(alice_);
  request.set_to_user_name(Simulator::SharedGroupId());
  request.set_content("hello group");
  v1::SendTextResponse response;
  ASSERT_TRUE(stub().SendText(Context().get(), request, &response).ok());
  auto text = stream_->WaitForEvent(
      [&](const v1::Event& e) { return e.account() == bob_ && e.has_text(); });
  ASSERT_TRUE(text);
  EXPECT_EQ(text->text().header().group_id(), Simulator::SharedGroupId());
  EXPECT_EQ(text->text().header().sender_wx_id(), alice_wxid_);
  EXPECT_EQ(text->text().text(), "hello group");
}

TEST_P(BridgeCommandsTest, SendLinkArrivesAsAnAppEvent) {
  LogInAliceAndBob();
  v1::SendLinkRequest request;
  request.set_account(alice_);
  request.set_to_user_name(bob_wxid_);
  request.set_title("一张图看懂 <wxbridge> & co");
  request.set_description("只要你说");
  request.set_url("http://example.com/a?b=1&c=2");
  request.mutable_thumbnail()->set_cdn_url("304c02");
  request.mutable_thumbnail()->set_length(3855);
  request.mutable_thumbnail()->set_height(160);
  v1::SendLinkResponse response;
  grpc::Status status = stub().SendLink(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto app =
      stream_->WaitForEvent([&](const v1::Event& e) { return e.account() == bob_ && e.has_app(); });
  ASSERT_TRUE(app);
  EXPECT_EQ(app->app().kind(), v1::APP_KIND_LINK);
  EXPECT_EQ(app->app().title(), request.title());
  EXPECT_EQ(app->app().description(), request.description());
  EXPECT_EQ(app->app().url(), request.url());
}

TEST_P(BridgeCommandsTest, SendImageArrivesAsAnImageEventOfTheSameSize) {
  LogInAliceAndBob();
  v1::SendImageRequest request;
  request.set_account(alice_);
  request.set_to_user_name(bob_wxid_);
  std::string image(70000, '\0');
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>(i * 31);
  request.set_image(image);
  v1::SendImageResponse response;
  grpc::Status status = stub().SendImage(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto received = stream_->WaitForEvent(
      [&](const v1::Event& e) { return e.account() == bob_ && e.has_image(); });
  ASSERT_TRUE(received);
  EXPECT_EQ(received->image().length(), static_cast<int64_t>(image.size()));
  EXPECT_EQ(received->image().header().from_user_name(), alice_wxid_);
}

TEST_P(BridgeCommandsTest, AddFriendThenAcceptWithTheRequestsEntryNameAndTicket) {
  LogInAliceAndBob();
  v1::AddFriendRequest add;
  add.set_account(alice_);
  add.set_user_key(bob_wxid_);
  add.set_content("我是 Alice");
  add.set_scene(v1::ADD_FRIEND_SCENE_WECHAT_ID);
  v1::AddFriendResponse add_response;
  grpc::Status status = stub().AddFriend(Context().get(), add, &add_response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  auto request_event = stream_->WaitForEvent(
      [&](const v1::Event& e) { return e.account() == bob_ && e.has_friend_request(); });
  ASSERT_TRUE(request_event);
  const auto& friend_request = request_event->friend_request();
  EXPECT_EQ(request_event->msg_type(), 37);
  EXPECT_EQ(friend_request.from_user_name(), alice_wxid_);
  EXPECT_EQ(friend_request.content(), "我是 Alice");
  ASSERT_FALSE(friend_request.entry_name().empty());
  ASSERT_FALSE(friend_request.ticket().empty());

  v1::AcceptFriendRequest accept;
  accept.set_account(bob_);
  accept.set_entry_name(friend_request.entry_name());
  accept.set_ticket(friend_request.ticket());
  accept.set_content(friend_request.content());
  v1::AcceptFriendResponse accept_response;
  status = stub().AcceptFriend(Context().get(), accept, &accept_response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // Alice now has Bob as a contact.
  EXPECT_TRUE(stream_->WaitForEvent([&](const v1::Event& e) {
    return e.account() == alice_ && e.has_contact() && e.contact().user_name() == bob_wxid_;
  }));
}

TEST_P(BridgeCommandsTest, AcceptFriendWithAForgedTicketIsReported) {
  LogInAliceAndBob();
  v1::AcceptFriendRequest accept;
  accept.set_account(bob_);
  accept.set_entry_name("v1_forged@stranger");
  accept.set_ticket("v2_forged@stranger");
  v1::AcceptFriendResponse response;
  grpc::Status status = stub().AcceptFriend(Context().get(), accept, &response);
  if (GetParam() == AckMode::kEcho) {
    // An echoing gateway's error reaches the caller.
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  } else {
    // Without echoes the call completes on write; the error is still an event.
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_TRUE(stream_->WaitForEvent(
      [&](const v1::Event& e) { return e.account() == bob_ && e.has_gateway_error(); }));
}

TEST_P(BridgeCommandsTest, KickByTheOwnerRemovesAndNotifies) {
  LogInAliceAndBob();
  const std::string group = Simulator::OwnedGroupIdFor(alice_);
  // The notice of a group change for `account`, whichever MsgType carries it.
  const auto notice = [&](const std::string& account, v1::GroupChangeKind kind) {
    return [&, account, kind](const v1::Event& e) {
      const v1::GroupChange* change = protocol::GroupChangeOf(e);
      return e.account() == account && change != nullptr && change->group_id() == group &&
             change->kind() == kind;
    };
  };
  // Bob joins Alice's group first, so that there is someone to remove.
  v1::InviteToGroupRequest invite;
  invite.set_account(alice_);
  invite.set_group_id(group);
  invite.set_wx_id(bob_wxid_);
  v1::InviteToGroupResponse invite_response;
  grpc::Status status = stub().InviteToGroup(Context().get(), invite, &invite_response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto joined = stream_->WaitForEvent(notice(bob_, v1::GROUP_CHANGE_KIND_INVITED));
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->msg_type(), 10000);
  EXPECT_EQ(protocol::GroupChangeOf(*joined)->actor_name(), "模拟alice");
  EXPECT_TRUE(protocol::GroupChangeOf(*joined)->members_include_self());

  v1::KickGroupMemberRequest kick;
  kick.set_account(alice_);
  kick.set_group_id(group);
  kick.set_user_id(bob_wxid_);
  v1::KickGroupMemberResponse kick_response;
  status = stub().KickGroupMember(Context().get(), kick, &kick_response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto removed = stream_->WaitForEvent(notice(bob_, v1::GROUP_CHANGE_KIND_REMOVED));
  ASSERT_TRUE(removed);
  EXPECT_EQ(protocol::GroupChangeOf(*removed)->actor_name(), "模拟alice");
}

TEST_P(BridgeCommandsTest, KickByANonOwnerFailsWithFailedPrecondition) {
  LogInAliceAndBob();
  v1::KickGroupMemberRequest kick;
  kick.set_account(bob_);
  kick.set_group_id(Simulator::OwnedGroupIdFor(alice_));
  kick.set_user_id(alice_wxid_);
  v1::KickGroupMemberResponse response;
  grpc::Status status = stub().KickGroupMember(Context().get(), kick, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_NE(status.error_message().find("code 105"), std::string::npos) << status.error_message();
}

TEST_P(BridgeCommandsTest, GetContactsReturnsPersonGroupAndOfficialAccount) {
  LogInAliceAndBob();
  v1::GetContactsRequest request;
  request.set_account(alice_);
  request.add_wx_ids(bob_wxid_);
  request.add_wx_ids(Simulator::SharedGroupId());
  request.add_wx_ids(Simulator::OfficialAccountId());
  request.add_wx_ids(Simulator::CustomIdPersonId());
  request.add_wx_ids(Simulator::SpecialAccountId());
  v1::GetContactsResponse response;
  grpc::Status status = stub().GetContacts(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.contacts_size(), 5);
  EXPECT_TRUE(response.missing_wx_ids().empty());
  EXPECT_EQ(response.contacts(0).user_name(), bob_wxid_);
  EXPECT_EQ(response.contacts(0).kind(), v1::CONTACT_KIND_PERSON);
  EXPECT_EQ(response.contacts(1).kind(), v1::CONTACT_KIND_GROUP);
  EXPECT_FALSE(response.contacts(1).chat_room_owner().empty());
  EXPECT_EQ(response.contacts(2).kind(), v1::CONTACT_KIND_OFFICIAL);
  EXPECT_EQ(response.contacts(3).kind(), v1::CONTACT_KIND_PERSON);
  EXPECT_EQ(response.contacts(4).kind(), v1::CONTACT_KIND_SPECIAL);
  EXPECT_NE(response.ack().completion(), v1::COMPLETION_PARTIAL);
}

TEST_P(BridgeCommandsTest, GetContactsListsIdsThatNeverArrive) {
  ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
  v1::GetContactsRequest request;
  request.set_account(alice_);
  request.add_wx_ids(Simulator::OfficialAccountId());
  request.add_wx_ids("wxid_nobody_at_all");
  v1::GetContactsResponse response;
  grpc::Status status = stub().GetContacts(Context(milliseconds(1500)).get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.ack().completion(), v1::COMPLETION_PARTIAL);
  ASSERT_EQ(response.contacts_size(), 1);
  EXPECT_EQ(response.contacts(0).user_name(), Simulator::OfficialAccountId());
  ASSERT_EQ(response.missing_wx_ids_size(), 1);
  EXPECT_EQ(response.missing_wx_ids(0), "wxid_nobody_at_all");
}

TEST_P(BridgeCommandsTest, SendRawWithAModelledCodeBehavesLikeTheTypedRpc) {
  LogInAliceAndBob();
  v1::SendRawRequest request;
  request.set_code(103);
  request.set_data_json(R"({"account":"alice","toUserName":")" + bob_wxid_ +
                        R"(","content":"raw hello"})");
  v1::SendRawResponse response;
  grpc::Status status = stub().SendRaw(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto text = stream_->WaitForEvent([&](const v1::Event& e) {
    return e.account() == bob_ && e.has_text() && e.text().text() == "raw hello";
  });
  EXPECT_TRUE(text);
}

TEST_P(BridgeCommandsTest, SendRawWithAnUnknownCodeEndsByItsDeadline) {
  ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
  v1::SendRawRequest request;
  request.set_code(110);
  request.set_data_json(R"({"account":"alice"})");
  v1::SendRawResponse response;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = stub().SendRaw(Context(milliseconds(1000)).get(), request, &response);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, milliseconds(2000)) << "the call outlived its deadline";
  if (GetParam() == AckMode::kEcho) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  } else {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  }
}

TEST_P(BridgeCommandsTest, InvalidRequestsAreRejectedAndNothingIsSent) {
  ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
  const std::size_t frames_before = harness_.sim().ReceivedFrames().size();
  v1::SendTextRequest missing_recipient;
  missing_recipient.set_account(alice_);
  missing_recipient.set_content("x");
  v1::SendTextResponse text_response;
  grpc::Status status = stub().SendText(Context().get(), missing_recipient, &text_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("to_user_name"), std::string::npos)
      << status.error_message();

  v1::AddFriendRequest no_scene;
  no_scene.set_account(alice_);
  no_scene.set_user_key("someone");
  v1::AddFriendResponse friend_response;
  status = stub().AddFriend(Context().get(), no_scene, &friend_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("scene"), std::string::npos);

  v1::SendRawRequest bad_json;
  bad_json.set_code(103);
  bad_json.set_data_json("{\"account\": ");
  v1::SendRawResponse raw_response;
  status = stub().SendRaw(Context().get(), bad_json, &raw_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // A valid call after them is the next frame the gateway sees.
  v1::GetStatusRequest status_request;
  v1::GetStatusResponse status_response;
  ASSERT_TRUE(stub().GetStatus(Context().get(), status_request, &status_response).ok());
  EXPECT_EQ(harness_.sim().ReceivedFrames().size(), frames_before);
}

TEST_P(BridgeCommandsTest, GetStatusReportsTheConnectionAndAccounts) {
  ASSERT_TRUE(harness_.LogIn(alice_, *stream_));
  v1::GetStatusRequest request;
  v1::GetStatusResponse response;
  ASSERT_TRUE(stub().GetStatus(Context().get(), request, &response).ok());
  EXPECT_EQ(response.upstream_state(), v1::UPSTREAM_STATE_CONNECTED);
  EXPECT_EQ(response.ack_mode(),
            GetParam() == AckMode::kEcho ? v1::GATEWAY_ACK_MODE_ECHO : v1::GATEWAY_ACK_MODE_NONE);
  EXPECT_FALSE(response.embedded_simulator());
  EXPECT_GT(response.head_seq(), 0u);
  ASSERT_EQ(response.accounts_size(), 1);
  EXPECT_EQ(response.accounts(0).account(), alice_);
  EXPECT_EQ(response.accounts(0).wx_id(), alice_wxid_);
  EXPECT_EQ(response.accounts(0).last_status(), v1::LOGIN_STATUS_LOGGED_IN);
  EXPECT_GE(response.counters().calls_succeeded(), 1u);
  EXPECT_GE(response.counters().subscribers(), 1u);
  EXPECT_GT(response.counters().frames_received(), 0u);
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, BridgeCommandsTest,
                         ::testing::Values(AckMode::kEcho, AckMode::kNone),
                         [](const ::testing::TestParamInfo<AckMode>& info) {
                           return info.param == AckMode::kEcho ? "Echo" : "NoEcho";
                         });

}  // namespace
}  // namespace wxbridge::testing
