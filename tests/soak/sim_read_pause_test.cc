// The simulator's "stop reading, keep writing" hook (Simulator::SetReadsPaused), which the
// chaos soak uses to make the bridge's writes back up: while paused nothing sent to the
// simulator is read, yet its own frames still go out; resuming reads what waited.
#include <string>

#include "tests/integration/sim_test_fixture.h"

namespace wxbridge::testing {
namespace {

using std::chrono::milliseconds;

bool HasFrameWithMsgId(const std::vector<std::string> &frames, uint64_t msg_id) {
  for (const std::string &frame : frames) {
    const json parsed = ParseFrame(frame);
    if (parsed.value("msgId", uint64_t{0}) == msg_id) return true;
  }
  return false;
}

TEST_P(SimTest, WithReadsPausedTheSimulatorWritesButReadsNothingUntilResumed) {
  auto client = Connect();
  ASSERT_TRUE(sim().WaitForConnections(1, milliseconds(5000)));
  sim().SetReadsPaused(true);
  // Hooks run in call order on the simulator's thread: this frame arriving proves the
  // pause has begun.
  sim().InjectFrame("before");
  ASSERT_EQ(client->Receive(), "before");

  const uint64_t msg_id = Send(*client, 110, json::object());
  sim().InjectFrame("while paused");
  EXPECT_EQ(client->Receive(), "while paused") << "writing stopped too";
  EXPECT_FALSE(HasFrameWithMsgId(sim().ReceivedFrames(), msg_id)) << "read while paused";

  sim().SetReadsPaused(false);
  EXPECT_TRUE(sim().WaitForReceived(
      [&](const std::vector<std::string> &frames) { return HasFrameWithMsgId(frames, msg_id); },
      milliseconds(5000)))
      << "the request that waited was never read";
  if (echo()) {
    EXPECT_FALSE(Await(*client, [&](const json &f) { return IsReplyTo(f, msg_id); }).is_null());
  }
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTest, kBothAckModes, AckModeName);

}  // namespace
}  // namespace wxbridge::testing
