// Connections and the test hooks: re-binding with code 100, inject, drop,
// stall, received frames, load generation.
#include <set>

#include "absl/strings/numbers.h"
#include "tests/integration/sim_test_fixture.h"

namespace wxbridge::testing {
namespace {

using std::chrono::milliseconds;

TEST_P(SimTwoAccountsTest, Code100BindsTheLoggedInAccountsToTheNewConnection) {
  alice_->Close();
  ASSERT_TRUE(sim().WaitForReceived([&](const auto &) { return sim().connection_count() == 1; },
                                    milliseconds(5000)));
  // Alice is unbound: what Bob sends her now is dropped.
  Send(*bob_, 103, {{"account", kBob}, {"toUserName", alice_wx_id_}, {"content", "lost"}});
  ASSERT_TRUE(sim().WaitForReceived(
      [](const auto &frames) { return frames.back().find("lost") != std::string::npos; },
      milliseconds(5000)));
  EXPECT_EQ(sim().LoggedInAccounts().size(), 2u);

  auto fresh = Connect();
  const uint64_t msg_id = Send(*fresh, 100, json::object());
  if (echo()) {
    json ack = Await(*fresh, [](const json &f) { return f.value("MsgType", -9) == 0; });
    EXPECT_TRUE(IsReplyTo(ack, msg_id)) << ack.dump();
    EXPECT_FALSE(ack.contains("account"));
  }
  Send(*bob_, 103, {{"account", kBob}, {"toUserName", alice_wx_id_}, {"content", "found"}});
  json text = Await(*fresh, MsgTypeFor(1, kAlice));
  EXPECT_EQ(text.value("Content", ""), "found");
  // Bob moved too: his connection no longer gets his pushes.
  Send(*fresh, 103, {{"account", kAlice}, {"toUserName", bob_wx_id_}, {"content", "to bob"}});
  json to_bob = Await(*fresh, MsgTypeFor(1, kBob));
  EXPECT_EQ(to_bob.value("Content", ""), "to bob");
}

TEST_P(SimTest, InjectedFramesReachEveryConnectionAsIs) {
  auto first = Connect();
  auto second = Connect();
  ASSERT_TRUE(sim().WaitForConnections(2, milliseconds(5000)));
  sim().InjectFrame("{not json");
  EXPECT_EQ(first->Receive(), "{not json");
  EXPECT_EQ(second->Receive(), "{not json");
}

TEST_P(SimTest, DroppedConnectionsCloseAndAccountsStayLoggedIn) {
  auto client = Connect();
  LogIn(*client, "alice");
  sim().DropConnections();
  EXPECT_FALSE(client->Receive().has_value());
  EXPECT_FALSE(client->is_open());
  EXPECT_TRUE(sim().WaitForReceived([&](const auto &) { return sim().connection_count() == 0; },
                                    milliseconds(5000)));
  EXPECT_EQ(sim().LoggedInAccounts(), std::vector<std::string>{"alice"});
  EXPECT_EQ(sim().connections_accepted(), 1u);
  auto again = Connect();
  EXPECT_TRUE(sim().WaitForConnections(2, milliseconds(5000)));
}

TEST_P(SimTest, AStalledSimulatorNeitherReadsNorAnswersPings) {
  auto client = Connect();
  ASSERT_TRUE(sim().WaitForConnections(1, milliseconds(5000)));
  sim().SetStalled(true);
  // The stall is posted to the simulator's thread; a frame sent to it marks the
  // point.
  const std::size_t before = sim().ReceivedFrames().size();
  Send(*client, 110, json::object());
  ASSERT_TRUE(client->Ping().ok());
  // Proving silence takes a wait: nothing may arrive within it.
  EXPECT_FALSE(client->Receive(milliseconds(300)).has_value());
  EXPECT_TRUE(client->is_open());
  EXPECT_EQ(client->pongs_received(), 0u);
  EXPECT_EQ(sim().ReceivedFrames().size(), before);

  sim().SetStalled(false);
  json error = Await(*client, [](const json &f) { return f.value("MsgType", 0) == -1; });
  EXPECT_EQ(error.value("Content", ""), "unknown code 110");
  EXPECT_EQ(sim().ReceivedFrames().size(), before + 1);
  Drain(*client);  // the pong precedes the barrier's reply
  EXPECT_EQ(client->pongs_received(), 1u);
}

TEST_P(SimTest, EveryReceivedFrameIsRecordedInOrder) {
  auto client = Connect();
  ASSERT_TRUE(client->SendText("first").ok());
  ASSERT_TRUE(client->SendText("second").ok());
  ASSERT_TRUE(sim().WaitForReceived([](const auto &frames) { return frames.size() >= 2; },
                                    milliseconds(5000)));
  EXPECT_EQ(sim().ReceivedFrames(), (std::vector<std::string>{"first", "second"}));
  EXPECT_FALSE(sim().WaitForReceived([](const auto &frames) { return frames.size() >= 3; },
                                     milliseconds(20)));
}

TEST_P(SimTest, SetAckModeSwitchesRepliesAtOnce) {
  auto client = Connect();
  sim().SetAckMode(echo() ? AckMode::kNone : AckMode::kEcho);
  Send(*client, 110, json::object());
  json error = Await(*client, [](const json &f) { return f.value("MsgType", 0) == -1; });
  EXPECT_EQ(error.contains("cmdId"), !echo());
}

// Frames carrying %SEND_NS% come back stamped with a steady_clock time.
int64_t StampOf(const std::string &frame) {
  const std::string prefix = "{\"sent\":";
  int64_t stamp = -1;
  if (frame.rfind(prefix, 0) != 0 ||
      !absl::SimpleAtoi(frame.substr(prefix.size(), frame.size() - prefix.size() - 1), &stamp)) {
    return -1;
  }
  return stamp;
}

TEST_P(SimTest, PushingSendsEveryCopyStampedWithItsSendTime) {
  auto client = Connect();
  ASSERT_TRUE(sim().WaitForConnections(1, milliseconds(5000)));
  const int64_t start = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
  for (double rate : {0.0, 2000.0}) {
    SCOPED_TRACE(rate);
    sim().StartPushing("{\"sent\":%SEND_NS%}", 200, rate);
    int64_t last = start;
    for (int i = 0; i < 200; ++i) {
      std::optional<std::string> frame = client->Receive();
      ASSERT_TRUE(frame.has_value()) << "copy " << i;
      const int64_t stamp = StampOf(*frame);
      ASSERT_GE(stamp, last) << *frame;
      last = stamp;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTest, kBothAckModes, AckModeName);
INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTwoAccountsTest, kBothAckModes, AckModeName);

}  // namespace
}  // namespace wxbridge::testing
