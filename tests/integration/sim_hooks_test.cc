// Connections and the test hooks: re-binding with code 100, inject, drop,
// stall, received frames, the frame source of load generators.
#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
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
  EXPECT_EQ(sim().peak_connection_count(), 2u);
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
  // One after the other: never two open at once.
  EXPECT_EQ(sim().peak_connection_count(), 1u);
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

TEST_P(SimTest, AFrameSourceFeedsTheConnectionsOpenWhenItIsSetWheneverTheyAreIdle) {
  auto client = Connect();
  ASSERT_TRUE(sim().WaitForConnections(1, milliseconds(5000)));
  // Made on the simulator's thread when asked: "made N" while N < allowed.
  struct Source {
    std::atomic<int> allowed{2};
    std::atomic<int> made{0};
  };
  auto source = std::make_shared<Source>();
  sim().SetFrameSource([source](sim::ConnectionId) -> std::optional<std::string> {
    if (source->made >= source->allowed) return std::nullopt;
    return absl::StrCat("made ", source->made++);
  });
  EXPECT_EQ(client->Receive(), "made 0");
  EXPECT_EQ(client->Receive(), "made 1");
  // The source has nothing for now; frames of the world still go out.
  sim().InjectFrame("injected");
  EXPECT_EQ(client->Receive(), "injected");
  source->allowed = 3;
  sim().PullFrames();
  EXPECT_EQ(client->Receive(), "made 2");

  // A connection opened later has no source: what the source makes goes to the first.
  auto late = Connect();
  ASSERT_TRUE(sim().WaitForConnections(2, milliseconds(5000)));
  source->allowed = 5;
  sim().PullFrames();
  sim().InjectFrame("end");
  EXPECT_EQ(late->Receive(), "end");
  EXPECT_TRUE(client->ReceiveUntil([](const std::string &f) { return f == "made 4"; }));

  // Removed, the source is asked no more.
  sim().SetFrameSource(nullptr);
  source->allowed = 1000;
  sim().PullFrames();
  sim().InjectFrame("after");
  int made_after = 0;
  EXPECT_TRUE(client->ReceiveUntil([&](const std::string &f) {
    made_after += f.rfind("made ", 0) == 0 ? 1 : 0;
    return f == "after";
  }));
  EXPECT_EQ(made_after, 0);
  EXPECT_EQ(source->made, 5);
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTest, kBothAckModes, AckModeName);
INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTwoAccountsTest, kBothAckModes, AckModeName);

}  // namespace
}  // namespace wxbridge::testing
