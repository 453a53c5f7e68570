// Shared fixture of the simulator tests: a Simulator with tiny login delays,
// run in both ack modes, and helpers that speak the gateway protocol through
// WsTestClient.
#ifndef WXBRIDGE_TESTS_INTEGRATION_SIM_TEST_FIXTURE_H_
#define WXBRIDGE_TESTS_INTEGRATION_SIM_TEST_FIXTURE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/sim/simulator.h"
#include "tests/support/ws_test_client.h"

namespace wxbridge::testing {

using nlohmann::json;
using sim::AckMode;
using sim::Simulator;
using JsonPredicate = std::function<bool(const json &)>;

inline constexpr char kTestAuthKey[] = "sim-test-key";
inline constexpr int kWorldSize = 3;

// Parses a frame; one that is not a JSON object becomes {"_raw": text}.
json ParseFrame(const std::string &text);
// The frame's account as text, whether it came as a string or a number.
std::string AccountOf(const json &frame);
// The frame's NewMsgId, whether it came as a number or a decimal string; 0 when absent.
uint64_t NewMsgIdOf(const json &frame);
// MsgType 0's Content, parsed.
json StatusContent(const json &frame);

class SimTest : public ::testing::TestWithParam<AckMode> {
 protected:
  SimTest();
  ~SimTest() override;

  bool echo() const { return GetParam() == AckMode::kEcho; }
  Simulator &sim() { return *sim_; }

  std::unique_ptr<WsTestClient> Connect();
  // Sends {code, authKey, msgId, cmdId: "c<msgId>", data}; returns the msgId
  // used.
  uint64_t Send(WsTestClient &client, int code, const json &data,
                const std::string &auth_key = kTestAuthKey);
  // The next frame satisfying `predicate` (others are skipped), or null at the
  // deadline.
  json Await(WsTestClient &client, const JsonPredicate &predicate);
  // Whether `frame` is shaped as the direct reply to request `msg_id` in this
  // ack mode.
  bool IsReplyTo(const json &frame, uint64_t msg_id) const;
  // Asserts the reply to `msg_id` is a -1 error with this Content (and account,
  // if any).
  void ExpectError(WsTestClient &client, uint64_t msg_id, const std::string &content,
                   const std::string &account = "");
  // In echo mode asserts the ack of `msg_id` arrives; in none mode, that none
  // does.
  void ExpectAckIfEchoing(WsTestClient &client, uint64_t msg_id, const std::string &account);
  // Every frame not yet awaited, up to the reply to a barrier request sent now.
  std::vector<json> Drain(WsTestClient &client);
  // The same, left in place for the next Await.
  std::vector<json> Peek(WsTestClient &client);
  // Logs `account` in on `client` and waits for the end of its contact list.
  void LogIn(WsTestClient &client, const std::string &account);

  std::unique_ptr<Simulator> sim_;
  // Frames Peek() received that no Await has consumed yet.
  std::map<const WsTestClient *, std::deque<json>> unread_;
  uint64_t next_msg_id_ = 1;
  int barriers_ = 0;
};

// Alice and Bob (a numeric account), each logged in on a connection of its own.
class SimTwoAccountsTest : public SimTest {
 protected:
  static inline const std::string kAlice = "alice";
  static inline const std::string kBob = "13800138000";

  void SetUp() override;

  std::unique_ptr<WsTestClient> alice_;
  std::unique_ptr<WsTestClient> bob_;
  const std::string alice_wx_id_ = Simulator::WxIdFor(kAlice);
  const std::string bob_wx_id_ = Simulator::WxIdFor(kBob);
};

// Every sim test file runs its TEST_Ps in both ack modes, instantiating the fixtures it
// uses (each file is a binary of its own):
//   INSTANTIATE_TEST_SUITE_P(BothAckModes, SimTest, kBothAckModes, AckModeName);
inline const auto kBothAckModes = ::testing::Values(AckMode::kEcho, AckMode::kNone);
std::string AckModeName(const ::testing::TestParamInfo<AckMode> &info);

// Predicates over frames.
JsonPredicate MsgTypeFor(int msg_type, const std::string &account);
JsonPredicate StatusFor(const std::string &account, int status);

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_INTEGRATION_SIM_TEST_FIXTURE_H_
