// Frames the gateway refuses: bad authKey, unknown codes, invalid JSON, binary
// and oversize frames.
#include "tests/integration/sim_test_fixture.h"

namespace wxbridge::testing {
namespace {

TEST_P(SimTest, AWrongAuthKeyIsRefusedAndNothingElseHappens) {
  auto client = Connect();
  uint64_t msg_id = Send(*client, 101, {{"account", "alice"}}, "wrong-key");
  ExpectError(*client, msg_id, "授权码无效");
  EXPECT_TRUE(Drain(*client).empty());
  EXPECT_TRUE(sim().LoggedInAccounts().empty());

  ASSERT_TRUE(client->SendText(R"({"code":101,"msgId":77,"data":{"account":"alice"}})").ok());
  json error = Await(*client, [](const json &f) { return f.value("MsgType", 0) == -1; });
  EXPECT_EQ(error.value("Content", ""), "授权码无效");
  EXPECT_EQ(error.value("MsgId", -1), echo() ? 77 : 0);
  EXPECT_FALSE(error.contains("account"));
}

TEST_P(SimTest, AnUnknownCodeIsAnError) {
  auto client = Connect();
  const uint64_t msg_id = Send(*client, 110, {{"account", "alice"}});
  ExpectError(*client, msg_id, "unknown code 110", "alice");
}

TEST_P(SimTest, InvalidJsonIsAnErrorAndTheConnectionStays) {
  auto client = Connect();
  for (const char *bad : {"{\"code\": 101,", "[1,2]", "\"text\""}) {
    ASSERT_TRUE(client->SendText(bad).ok());
    json error = Await(*client, [](const json &f) { return f.value("MsgType", 0) == -1; });
    ASSERT_TRUE(error.is_object()) << bad;
    EXPECT_EQ(error.value("Content", "").rfind("invalid json: ", 0), 0u) << error.dump();
    EXPECT_EQ(error.value("MsgId", -1), 0);
  }
  LogIn(*client, "alice");  // still served
}

TEST_P(SimTest, ABinaryFrameIsAnError) {
  auto client = Connect();
  ASSERT_TRUE(client->SendBinary(std::string("\x00\x01", 2)).ok());
  json error = Await(*client, [](const json &f) { return f.value("MsgType", 0) == -1; });
  EXPECT_EQ(error.value("Content", ""), "binary frames are not supported");
  EXPECT_TRUE(Drain(*client).empty());
}

TEST_P(SimTest, AFrameOverTheLimitClosesTheConnection) {
  auto client = Connect();
  const std::string huge(sim().config().max_frame_bytes + 1, 'x');
  ASSERT_TRUE(client->SendText(huge).ok());
  EXPECT_FALSE(client->Receive().has_value());
  EXPECT_FALSE(client->is_open());
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTest, kBothAckModes, AckModeName);

}  // namespace
}  // namespace wxbridge::testing
