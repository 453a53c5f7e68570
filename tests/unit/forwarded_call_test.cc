// A forwarded call's bytes: what the holder runs is the command the caller's replica
// built, and what comes back is the whole CallResult; nothing a malformed message holds
// can pass as an answer.
#include "server/cluster/forwarded_call.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/cluster/call_forwarder.h"

namespace wxbridge::cluster {
namespace {

using std::chrono::milliseconds;

TEST(ForwardedCallTest, CommandRoundTrips) {
  protocol::Command command;
  command.code = 106;
  command.account = "acct-1";
  command.data_json = R"({"account":"acct-1","wxIds":["a","b"],"text":"naïve \"quoted\""})";
  command.group_id = "g@chatroom";
  command.wx_ids = {"a", "b"};
  command.chat = "g@chatroom";
  absl::StatusOr<ForwardedCommand> back =
      DecodeForwardedCommand(EncodeForwardedCommand(command, milliseconds(1234)));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->command.code, 106);
  EXPECT_EQ(back->command.account, "acct-1");
  EXPECT_EQ(back->command.data_json, command.data_json);
  EXPECT_EQ(back->command.group_id, "g@chatroom");
  EXPECT_EQ(back->command.wx_ids, command.wx_ids);
  EXPECT_EQ(back->command.chat, "g@chatroom");
  EXPECT_EQ(back->time_left, milliseconds(1234));
}

TEST(ForwardedCallTest, ResultRoundTripsWithRepliesAndMissingIds) {
  calls::CallResult result;
  result.status = absl::OkStatus();
  result.ack.set_request_id(7);
  result.ack.set_cmd_id("wxb-x-7");
  auto stored = std::make_shared<events::StoredEvent>();
  stored->message.mutable_event()->set_seq(41);
  stored->message.mutable_event()->set_account("acct-1");
  stored->message.mutable_event()->set_raw_json(R"({"MsgType":0})");
  result.replies.push_back(stored);
  result.missing_wx_ids = {"nobody"};

  absl::StatusOr<ForwardedAnswer> back = DecodeForwardedAnswer(EncodeCallResult(result));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_FALSE(back->not_holder);
  EXPECT_TRUE(back->result.status.ok());
  EXPECT_EQ(back->result.ack.request_id(), 7u);
  EXPECT_EQ(back->result.ack.cmd_id(), "wxb-x-7");
  ASSERT_EQ(back->result.replies.size(), 1u);
  EXPECT_EQ(back->result.replies[0]->event().seq(), 41u);
  EXPECT_EQ(back->result.replies[0]->event().raw_json(), R"({"MsgType":0})");
  EXPECT_EQ(back->result.replies[0]->retained->seq, 41u);
  EXPECT_EQ(back->result.missing_wx_ids, result.missing_wx_ids);
}

TEST(ForwardedCallTest, ErrorStatusKeepsCodeAndMessageEvenWithBadUtf8) {
  calls::CallResult result;
  result.status = absl::FailedPreconditionError("gateway said \xff\xfe no");
  absl::StatusOr<ForwardedAnswer> back = DecodeForwardedAnswer(EncodeCallResult(result));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->result.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(back->result.status.message().find("gateway said"), absl::string_view::npos);
}

TEST(ForwardedCallTest, NotHolderIsItsOwnAnswer) {
  absl::StatusOr<ForwardedAnswer> back = DecodeForwardedAnswer(EncodeNotHolder());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->not_holder);
}

TEST(ForwardedCallTest, MalformedBytesAreRefused) {
  for (const char* bytes :
       {"", "not json", "[]", R"({"code":1})",
        R"({"code":99,"message":"","ack":"","replies":[],"missing":[]})",
        R"({"code":0,"message":"","ack":"!!notbase64","replies":[],"missing":[]})",
        R"({"code":0,"message":"","ack":"","replies":[5],"missing":[]})"}) {
    EXPECT_FALSE(DecodeForwardedAnswer(bytes).ok()) << bytes;
  }
  for (const char* bytes : {"", "{}", R"({"code":"x"})"}) {
    EXPECT_FALSE(DecodeForwardedCommand(bytes).ok()) << bytes;
  }
}

// Numbers a cast would turn into undefined behaviour (the fuzzer found the first) or a
// deadline the holder cannot add to its clock.
TEST(ForwardedCallTest, NumbersOutOfRangeAreRefused) {
  const std::string rest = R"(,"account":"a","data":"{}","group_id":"","wx_ids":[],"chat":"b")";
  for (const char* numbers :
       {R"("code":-9223372036854775809103,"time_left_ms":800)",
        R"("code":1e300,"time_left_ms":800)", R"("code":4294967399,"time_left_ms":800)",
        R"("code":103.5,"time_left_ms":800)", R"("code":103,"time_left_ms":1e300)",
        R"("code":103,"time_left_ms":-1)", R"("code":103,"time_left_ms":9223372036854775807)"}) {
    EXPECT_FALSE(DecodeForwardedCommand(absl::StrCat("{", numbers, rest, "}")).ok()) << numbers;
  }
  EXPECT_TRUE(DecodeForwardedCommand(R"({"code":103,"time_left_ms":2147483647)" + rest + "}").ok());
  for (const char* code : {"-1e300", "1e300", "4294967296", "-1", "17", "0.5"}) {
    const std::string answer =
        absl::StrCat(R"({"code":)", code, R"(,"message":"","ack":"","replies":[],"missing":[]})");
    EXPECT_FALSE(DecodeForwardedAnswer(answer).ok()) << answer;
  }
}

TEST(ForwardedCallTest, CallSubjectIsOneSafeToken) {
  // A host name's dots would split the subject into more tokens.
  EXPECT_EQ(CallSubject("prod", "host.example-12-abc"), "wxbridge.prod.call.host_example-12-abc");
}

}  // namespace
}  // namespace wxbridge::cluster
