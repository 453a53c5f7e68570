// The correlation rules (docs/protocol.md), without sockets: which event completes which
// call, in both gateway ack modes.
#include "server/calls/call_table.h"

#include <optional>

#include "gtest/gtest.h"
#include "server/events/event_log.h"

namespace wxbridge::calls {
namespace {

using wxbridge::v1::Event;

class CallTableTest : public ::testing::Test {
 protected:
  // Registers a call and returns the slot its result lands in.
  std::optional<CallResult>* Add(uint64_t msg_id, protocol::Command command) {
    auto& slot = results_[msg_id];
    protocol::FrameStamp stamp{msg_id, "cmd-" + std::to_string(msg_id)};
    table_.Add(stamp, command, [&slot](CallResult r) { slot = std::move(r); });
    return &slot;
  }
  void Feed(Event event) { table_.OnEvent(log_.Append(std::move(event))); }

  static protocol::Command Cmd(int code, std::string account, std::string group = "",
                               std::vector<std::string> ids = {}) {
    protocol::Command c;
    c.code = code;
    c.account = std::move(account);
    c.group_id = std::move(group);
    c.wx_ids = std::move(ids);
    return c;
  }
  static Event Status(std::string account, wxbridge::v1::LoginStatus status, int64_t msg_id = 0) {
    Event e;
    e.set_account(std::move(account));
    e.set_msg_type(0);
    e.set_msg_id(msg_id);
    e.mutable_login_status()->set_status(status);
    return e;
  }
  static Event Contact(std::string account, std::string name, int64_t msg_id = 0) {
    Event e;
    e.set_account(std::move(account));
    e.set_msg_type(2);
    e.set_msg_id(msg_id);
    e.mutable_contact()->set_user_name(std::move(name));
    return e;
  }
  static Event Error(std::string account, std::string text, int64_t msg_id = 0) {
    Event e;
    e.set_account(std::move(account));
    e.set_msg_type(-1);
    e.set_msg_id(msg_id);
    e.mutable_gateway_error()->set_message(text);
    e.mutable_gateway_error()->set_auth_rejected(text == "授权码无效");
    return e;
  }
  static Event Ack(std::string account, std::string cmd_id) {
    Event e;
    e.set_account(std::move(account));
    e.set_msg_type(0);
    e.set_cmd_id(std::move(cmd_id));
    e.mutable_command_reply()->set_content("{\"code\":0}");
    return e;
  }

  events::EventLog log_;
  CallTable table_;
  std::map<uint64_t, std::optional<CallResult>> results_;
};

TEST_F(CallTableTest, FireAndForgetCompletesOnWriteWhenGatewayDoesNotEcho) {
  auto* result = Add(1, Cmd(103, "a"));
  EXPECT_FALSE(result->has_value());
  table_.OnWritten(1);
  ASSERT_TRUE(result->has_value());
  EXPECT_TRUE((*result)->status.ok());
  EXPECT_EQ((*result)->ack.completion(), wxbridge::v1::COMPLETION_WRITTEN);
  EXPECT_FALSE((*result)->ack.gateway_acknowledged());
  EXPECT_EQ((*result)->ack.request_id(), 1u);
  EXPECT_EQ((*result)->ack.cmd_id(), "cmd-1");
}

TEST_F(CallTableTest, EchoedReplyTeachesEchoModeAndThenFireAndForgetWaitsForIt) {
  auto* rebind = Add(1, Cmd(100, ""));
  table_.OnWritten(1);  // unlearned: completes on write
  ASSERT_TRUE(rebind->has_value());
  Feed(Ack("", "cmd-2"));  // nobody waits for cmd-2: not an echo of ours
  EXPECT_EQ(table_.ack_mode(), wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED);

  auto* login = Add(3, Cmd(101, "a"));
  table_.OnWritten(3);
  Feed(Status("a", wxbridge::v1::LOGIN_STATUS_WAITING_FOR_SCAN, 3));
  ASSERT_TRUE(login->has_value());
  EXPECT_EQ((*login)->ack.completion(), wxbridge::v1::COMPLETION_ECHOED);
  EXPECT_TRUE((*login)->ack.gateway_acknowledged());
  EXPECT_EQ(table_.ack_mode(), wxbridge::v1::GATEWAY_ACK_MODE_ECHO);

  auto* text = Add(4, Cmd(103, "a"));
  table_.OnWritten(4);
  EXPECT_FALSE(text->has_value()) << "an echoing gateway's reply is awaited";
  Feed(Ack("a", "cmd-4"));
  ASSERT_TRUE(text->has_value());
  EXPECT_EQ((*text)->ack.completion(), wxbridge::v1::COMPLETION_ECHOED);
}

// The re-bind completes on write while the mode is unlearned; its echo comes after and
// must still teach ECHO, or a bridge whose first calls are sends would never learn it.
TEST_F(CallTableTest, LateEchoOfACallCompletedOnWriteTeachesEchoMode) {
  auto* rebind = Add(1, Cmd(100, ""));
  table_.OnWritten(1);
  ASSERT_TRUE(rebind->has_value());
  EXPECT_EQ((*rebind)->ack.completion(), wxbridge::v1::COMPLETION_WRITTEN);
  Feed(Ack("", "cmd-1"));
  EXPECT_EQ(table_.ack_mode(), wxbridge::v1::GATEWAY_ACK_MODE_ECHO);

  auto* text = Add(2, Cmd(103, "a"));
  table_.OnWritten(2);
  EXPECT_FALSE(text->has_value()) << "now learned: the send waits for its echo";
  Feed(Ack("a", "cmd-2"));
  ASSERT_TRUE(text->has_value());
  EXPECT_EQ((*text)->ack.completion(), wxbridge::v1::COMPLETION_ECHOED);

  table_.ResetAckMode();  // a new connection learns again
  EXPECT_EQ(table_.ack_mode(), wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED);
  Feed(Ack("", "cmd-1"));  // the old connection's echo teaches nothing now
  EXPECT_EQ(table_.ack_mode(), wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED);
}

TEST_F(CallTableTest, EchoedErrorFailsTheCallWithFailedPrecondition) {
  auto* call = Add(5, Cmd(105, "a", "g@chatroom"));
  table_.OnWritten(5);
  Feed(Error("a", "只有群主才能移除群成员", 5));
  ASSERT_TRUE(call->has_value());
  EXPECT_EQ((*call)->status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE((*call)->status.message().find("只有群主"), std::string::npos);
}

TEST_F(CallTableTest, AuthErrorIsUnauthenticated) {
  auto* call = Add(6, Cmd(101, "a"));
  table_.OnWritten(6);
  Feed(Error("", "授权码无效", 6));
  ASSERT_TRUE(call->has_value());
  EXPECT_EQ((*call)->status.code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(CallTableTest, LoginCompletesOnTheAccountsNextStatusWithoutEcho) {
  auto* call = Add(7, Cmd(101, "a"));
  Feed(Status("a", wxbridge::v1::LOGIN_STATUS_LOGGED_IN));  // before the write: not ours
  EXPECT_FALSE(call->has_value());
  table_.OnWritten(7);
  Feed(Status("b", wxbridge::v1::LOGIN_STATUS_WAITING_FOR_SCAN));  // other account
  EXPECT_FALSE(call->has_value());
  Feed(Status("a", wxbridge::v1::LOGIN_STATUS_WAITING_FOR_SCAN));
  ASSERT_TRUE(call->has_value());
  EXPECT_EQ((*call)->ack.completion(), wxbridge::v1::COMPLETION_EFFECT);
  ASSERT_EQ((*call)->replies.size(), 1u);
  EXPECT_EQ((*call)->replies[0]->event().login_status().status(),
            wxbridge::v1::LOGIN_STATUS_WAITING_FOR_SCAN);
  EXPECT_EQ(table_.ack_mode(), wxbridge::v1::GATEWAY_ACK_MODE_NONE);
}

TEST_F(CallTableTest, LogoutWaitsForStatusEight) {
  auto* call = Add(8, Cmd(102, "a"));
  table_.OnWritten(8);
  Feed(Status("a", wxbridge::v1::LOGIN_STATUS_LOGGED_IN));
  EXPECT_FALSE(call->has_value());
  Feed(Status("a", wxbridge::v1::LOGIN_STATUS_LOGGED_OUT));
  ASSERT_TRUE(call->has_value());
  EXPECT_TRUE((*call)->status.ok());
}

TEST_F(CallTableTest, ContactsCompleteWhenEveryIdArrivedInRequestOrder) {
  auto* call = Add(9, Cmd(106, "a", "", {"x", "g@chatroom", "x", "gh_1"}));
  table_.OnWritten(9);
  Feed(Contact("a", "gh_1"));
  Feed(Contact("a", "x"));
  Feed(Contact("b", "g@chatroom"));  // another account's contact
  EXPECT_FALSE(call->has_value());
  Feed(Contact("a", "g@chatroom"));
  ASSERT_TRUE(call->has_value());
  ASSERT_EQ((*call)->replies.size(), 3u);
  EXPECT_EQ((*call)->replies[0]->event().contact().user_name(), "x");
  EXPECT_EQ((*call)->replies[1]->event().contact().user_name(), "g@chatroom");
  EXPECT_EQ((*call)->replies[2]->event().contact().user_name(), "gh_1");
  EXPECT_TRUE((*call)->missing_wx_ids.empty());
}

TEST_F(CallTableTest, ContactsAtDeadlineReturnWhatArrivedAndListTheMissing) {
  auto* call = Add(10, Cmd(106, "a", "", {"x", "nobody"}));
  table_.OnWritten(10);
  Feed(Contact("a", "x"));
  table_.Expire(10, /*unsent=*/true, absl::UnavailableError("down"));
  ASSERT_TRUE(call->has_value());
  EXPECT_TRUE((*call)->status.ok());
  EXPECT_EQ((*call)->ack.completion(), wxbridge::v1::COMPLETION_PARTIAL);
  EXPECT_EQ((*call)->missing_wx_ids, std::vector<std::string>{"nobody"});
}

TEST_F(CallTableTest, UnwrittenCallExpiresWithTheGivenStatus) {
  auto* call = Add(11, Cmd(103, "a"));
  table_.Expire(11, /*unsent=*/true, absl::UnavailableError("gateway away"));
  ASSERT_TRUE(call->has_value());
  EXPECT_EQ((*call)->status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(CallTableTest, ACallWhoseFrameIsStillBeingWrittenIsNotReportedUnsent) {
  auto* call = Add(14, Cmd(103, "a"));
  table_.Expire(14, /*unsent=*/false, absl::UnavailableError("never sent"));
  ASSERT_TRUE(call->has_value());
  EXPECT_EQ((*call)->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_NE((*call)->status.message().find("being written"), std::string::npos);
}

TEST_F(CallTableTest, UnknownCodeWithoutEchoEndsDeadlineExceeded) {
  auto* call = Add(12, Cmd(110, "a"));
  table_.OnWritten(12);
  Feed(Error("a", "unknown code 110"));  // no echo: cannot be attributed
  EXPECT_FALSE(call->has_value());
  table_.Expire(12, /*unsent=*/true, absl::UnavailableError("unused"));
  ASSERT_TRUE(call->has_value());
  EXPECT_EQ((*call)->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_NE((*call)->status.message().find("code 110"), std::string::npos);
}

TEST_F(CallTableTest, UnechoedErrorForTheAccountFailsItsOldestEffectCall) {
  auto* kick = Add(13, Cmd(105, "a", "g@chatroom"));
  auto* invite = Add(14, Cmd(108, "a", "g@chatroom"));
  table_.OnWritten(13);
  table_.OnWritten(14);
  Feed(Error("a", "只有群主才能移除群成员"));
  ASSERT_TRUE(kick->has_value());
  EXPECT_EQ((*kick)->status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(invite->has_value());
}

TEST_F(CallTableTest, GroupChangeForTheGroupCompletesKick) {
  auto* kick = Add(15, Cmd(105, "a", "g@chatroom"));
  table_.OnWritten(15);
  Event other;
  other.set_account("a");
  other.set_msg_type(10002);
  other.mutable_group_change()->set_group_id("other@chatroom");
  other.mutable_group_change()->set_kind(wxbridge::v1::GROUP_CHANGE_KIND_REMOVED);
  Feed(other);
  EXPECT_FALSE(kick->has_value());
  Event renamed = other;  // the group's, but it says something else happened
  renamed.mutable_group_change()->set_group_id("g@chatroom");
  renamed.mutable_group_change()->set_kind(wxbridge::v1::GROUP_CHANGE_KIND_RENAMED);
  Feed(renamed);
  EXPECT_FALSE(kick->has_value());
  Event mine = other;
  mine.mutable_group_change()->set_group_id("g@chatroom");
  Feed(mine);
  ASSERT_TRUE(kick->has_value());
  EXPECT_EQ((*kick)->ack.completion(), wxbridge::v1::COMPLETION_EFFECT);
}

TEST_F(CallTableTest, SystemNoticeOfTheGroupCompletesInvite) {
  auto* invite = Add(17, Cmd(108, "a", "g@chatroom"));
  table_.OnWritten(17);
  Event notice;
  notice.set_account("a");
  notice.set_msg_type(10000);
  notice.mutable_system_notice()->set_text("你将\"柚子\"移出了群聊");
  wxbridge::v1::GroupChange* change = notice.mutable_system_notice()->mutable_group_change();
  change->set_group_id("g@chatroom");
  change->set_kind(wxbridge::v1::GROUP_CHANGE_KIND_REMOVED);  // not what an invite does
  Feed(notice);
  EXPECT_FALSE(invite->has_value());
  change->set_kind(wxbridge::v1::GROUP_CHANGE_KIND_INVITED);
  Feed(notice);
  ASSERT_TRUE(invite->has_value());
  EXPECT_TRUE((*invite)->status.ok());
  EXPECT_EQ((*invite)->ack.completion(), wxbridge::v1::COMPLETION_EFFECT);
}

TEST_F(CallTableTest, MessagePushWithACollidingMsgIdIsNotAnEcho) {
  auto* login = Add(16, Cmd(101, "a"));
  table_.OnWritten(16);
  Event text;
  text.set_account("a");
  text.set_msg_type(1);
  text.set_msg_id(16);
  text.mutable_text()->set_text("hi");
  Feed(text);
  EXPECT_FALSE(login->has_value());
}

TEST_F(CallTableTest, FailAllCompletesEverything) {
  auto* a = Add(17, Cmd(101, "a"));
  auto* b = Add(18, Cmd(103, "b"));
  table_.FailAll(absl::UnavailableError("shutting down"));
  ASSERT_TRUE(a->has_value());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(table_.size(), 0u);
}

}  // namespace
}  // namespace wxbridge::calls
