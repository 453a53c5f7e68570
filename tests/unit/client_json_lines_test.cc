// wxbridge_client's JSON lines: protobuf's canonical JSON mapping, one object per line.
#include <algorithm>
#include <sstream>
#include <string>

#include "client/wxclient/json_lines.h"
#include "gtest/gtest.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::client {
namespace {

namespace v1 = ::wxbridge::v1;

v1::SubscribeResponse TextEvent(const std::string& text) {
  v1::SubscribeResponse response;
  v1::Event* event = response.mutable_event();
  event->set_seq(7);
  event->set_account("bob");
  event->set_msg_type(1);
  event->mutable_text()->mutable_header()->set_from_user_name("wxid_alice");
  event->mutable_text()->set_text(text);
  return response;
}

TEST(JsonLinesTest, UsesLowerCamelNamesStringInt64sAndLeavesDefaultsOut) {
  absl::StatusOr<std::string> json = ToJsonLine(TextEvent("hi"));
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, R"({"event":{"seq":"7","account":"bob","msgType":1,)"
                   R"("text":{"header":{"fromUserName":"wxid_alice"},"text":"hi"}}})");
}

TEST(JsonLinesTest, WritesEnumsByNameAndDurationsAsText) {
  v1::SubscribeResponse hello;
  hello.mutable_hello()->set_upstream_state(v1::UPSTREAM_STATE_CONNECTED);
  hello.mutable_hello()->mutable_heartbeat_interval()->set_seconds(15);
  absl::StatusOr<std::string> json = ToJsonLine(hello);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, R"({"hello":{"upstreamState":"UPSTREAM_STATE_CONNECTED",)"
                   R"("heartbeatInterval":"15s"}})");
}

TEST(JsonLinesTest, EveryMessageIsOneLineEvenWithNewlinesInsideText) {
  std::ostringstream out;
  ASSERT_TRUE(WriteJsonLine(TextEvent("line one\nline two"), out).ok());
  ASSERT_TRUE(WriteJsonLine(TextEvent("中文"), out).ok());
  const std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_NE(text.find(R"("text":"line one\nline two")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("text":"中文")"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(JsonLinesTest, BytesAreBase64) {
  v1::LoginStatusEvent status;
  status.set_qr_image(std::string("\x89PNG", 4));
  absl::StatusOr<std::string> json = ToJsonLine(status);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, R"({"qrImage":"iVBORw=="})");
}

}  // namespace
}  // namespace wxbridge::client
