#include "tests/integration/sim_test_fixture.h"

#include "absl/strings/str_cat.h"
#include "server/common/log.h"

namespace wxbridge::testing {

json ParseFrame(const std::string &text) {
  json frame = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (frame.is_object()) return frame;
  return json{{"_raw", text}};  // predicates may call value() on any frame
}

std::string AccountOf(const json &frame) {
  auto it = frame.find("account");
  if (it == frame.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

uint64_t NewMsgIdOf(const json &frame) {
  auto it = frame.find("NewMsgId");
  if (it == frame.end()) return 0;
  if (it->is_string()) return std::stoull(it->get<std::string>());
  return it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

json StatusContent(const json &frame) {
  if (!frame.contains("Content") || !frame["Content"].is_string()) return json();
  return ParseFrame(frame["Content"].get<std::string>());
}

JsonPredicate MsgTypeFor(int msg_type, const std::string &account) {
  return
      [=](const json &f) { return f.value("MsgType", -99) == msg_type && AccountOf(f) == account; };
}

JsonPredicate StatusFor(const std::string &account, int status) {
  return [=](const json &f) {
    return MsgTypeFor(0, account)(f) && StatusContent(f).value("status", -1) == status;
  };
}

SimTest::SimTest() {
  SetLogLevel(LogLevel::kWarning);  // one line per connection is noise here
  sim::SimulatorConfig config;
  config.auth_key = kTestAuthKey;
  config.ack_mode = GetParam();
  config.scan_delay = std::chrono::milliseconds(5);
  config.step_delay = std::chrono::milliseconds(2);
  config.world_size = kWorldSize;
  config.max_frame_bytes = 1 << 20;
  sim_ = std::make_unique<Simulator>(config);
  absl::Status started = sim_->Start();
  EXPECT_TRUE(started.ok()) << started;
}

SimTest::~SimTest() { sim_->Stop(); }

std::unique_ptr<WsTestClient> SimTest::Connect() {
  auto client = std::make_unique<WsTestClient>();
  absl::Status status = client->Connect(sim_->url());
  EXPECT_TRUE(status.ok()) << status;
  return client;
}

uint64_t SimTest::Send(WsTestClient &client, int code, const json &data,
                       const std::string &auth_key) {
  const uint64_t msg_id = next_msg_id_++;
  json frame = {{"code", code},
                {"authKey", auth_key},
                {"msgId", msg_id},
                {"cmdId", absl::StrCat("c", msg_id)},
                {"data", data}};
  absl::Status status = client.SendText(frame.dump());
  EXPECT_TRUE(status.ok()) << status;
  return msg_id;
}

json SimTest::Await(WsTestClient &client, const JsonPredicate &predicate) {
  for (auto &unread = unread_[&client]; !unread.empty();) {
    json frame = std::move(unread.front());
    unread.pop_front();
    if (predicate(frame)) return frame;
  }
  std::optional<std::string> frame =
      client.ReceiveUntil([&](const std::string &text) { return predicate(ParseFrame(text)); });
  return frame ? ParseFrame(*frame) : json();
}

bool SimTest::IsReplyTo(const json &frame, uint64_t msg_id) const {
  if (!frame.is_object() || frame.contains("NewMsgId")) return false;
  if (!echo()) return frame.value("MsgId", -1) == 0 && !frame.contains("cmdId");
  return frame.value("MsgId", uint64_t{0}) == msg_id &&
         frame.value("cmdId", "") == absl::StrCat("c", msg_id);
}

void SimTest::ExpectError(WsTestClient &client, uint64_t msg_id, const std::string &content,
                          const std::string &account) {
  json error = Await(client, [&](const json &f) { return f.value("MsgType", 0) == -1; });
  ASSERT_TRUE(error.is_object()) << "no error frame for request " << msg_id;
  EXPECT_TRUE(IsReplyTo(error, msg_id)) << error.dump();
  EXPECT_EQ(error.value("Content", ""), content) << error.dump();
  EXPECT_EQ(AccountOf(error), account) << error.dump();
}

void SimTest::ExpectAckIfEchoing(WsTestClient &client, uint64_t msg_id,
                                 const std::string &account) {
  const auto is_ack = [&](const json &f) {
    return f.value("MsgType", -99) == 0 && f.value("Content", "") == R"({"code":0,"msg":"ok"})";
  };
  if (echo()) {
    json ack = Await(client, is_ack);
    ASSERT_TRUE(ack.is_object()) << "no ack for request " << msg_id;
    EXPECT_TRUE(IsReplyTo(ack, msg_id)) << ack.dump();
    EXPECT_EQ(AccountOf(ack), account);
  } else {
    for (const json &frame : Peek(client)) EXPECT_FALSE(is_ack(frame)) << frame.dump();
  }
}

std::vector<json> SimTest::Drain(WsTestClient &client) {
  // An unknown code is answered in both modes; its number tells this barrier
  // apart.
  const int code = 900000 + ++barriers_;
  Send(client, code, json::object());
  const std::string marker = absl::StrCat("unknown code ", code);
  auto &unread = unread_[&client];
  std::vector<json> before(std::make_move_iterator(unread.begin()),
                           std::make_move_iterator(unread.end()));
  unread.clear();
  std::optional<std::string> barrier = client.ReceiveUntil([&](const std::string &text) {
    json frame = ParseFrame(text);
    if (frame.value("Content", "") == marker) return true;
    before.push_back(std::move(frame));
    return false;
  });
  EXPECT_TRUE(barrier.has_value()) << "barrier " << code << " never answered";
  return before;
}

std::vector<json> SimTest::Peek(WsTestClient &client) {
  std::vector<json> frames = Drain(client);
  unread_[&client].assign(frames.begin(), frames.end());
  return frames;
}

void SimTest::LogIn(WsTestClient &client, const std::string &account) {
  Send(client, 101, {{"account", account}});
  const std::string last = Simulator::OwnedGroupIdFor(account);
  json frame = Await(client, [&](const json &f) {
    return MsgTypeFor(2, account)(f) && f.value("UserName", "") == last;
  });
  ASSERT_TRUE(frame.is_object()) << account << " did not finish logging in";
}

void SimTwoAccountsTest::SetUp() {
  alice_ = Connect();
  bob_ = Connect();
  LogIn(*alice_, kAlice);
  LogIn(*bob_, kBob);
}

std::string AckModeName(const ::testing::TestParamInfo<AckMode> &info) {
  return info.param == AckMode::kEcho ? "Echo" : "None";
}

}  // namespace wxbridge::testing
