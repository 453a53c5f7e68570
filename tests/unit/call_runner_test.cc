// A call's life without sockets: stamp → queue → write/echo/deadline/cancel → the one
// `done`, and the counting. The test drives the io_context itself (or runs it on a thread
// it owns); the write queue is a fake that keeps waiting frames in order and drops one
// when the runner withdraws it, so "never written after its call ended" is observable.
#include "server/calls/call_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/events/event_log.h"
#include "server/protocol/command_builder.h"

namespace wxbridge::calls {
namespace {

using nlohmann::json;
using Clock = CallRunner::Clock;
using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kAuthKey[] = "test-auth-key";
constexpr char kAccount[] = "wxid_account";

absl::StatusOr<protocol::Command> SendText(std::string content = "hello") {
  wxbridge::v1::SendTextRequest request;
  request.set_account(kAccount);
  request.set_to_user_name("wxid_friend");
  request.set_content(std::move(content));
  return protocol::BuildCommand(request);
}

absl::StatusOr<protocol::Command> Login() {
  wxbridge::v1::LoginRequest request;
  request.set_account(kAccount);
  return protocol::BuildCommand(request);
}

Clock::time_point Far() { return Clock::now() + 1h; }

bool Contains(const std::vector<uint64_t>& ids, uint64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class CallRunnerTest : public ::testing::Test {
 protected:
  // Where one call's `done` lands.
  struct Slot {
    int runs = 0;
    std::optional<CallResult> result;
    std::thread::id thread;
    Clock::time_point at;
    bool withdrawn_before_done = false;
    uint64_t id = 0;  // set by StartCall
  };
  struct Queued {
    uint64_t id = 0;
    std::shared_ptr<const std::string> frame;
    bool first = false;
  };

  CallRunnerTest() { MakeRunner(); }

  void MakeRunner(CallRunnerOptions options = {}, pacing::SendPacer* pacer = nullptr) {
    options.auth_key = kAuthKey;
    CallRunnerHooks hooks;
    hooks.enqueue = [this](uint64_t id, std::shared_ptr<const std::string> frame, bool first) {
      ++enqueue_calls_;
      if (!enqueue_status_.ok()) return enqueue_status_;
      Queued queued{id, std::move(frame), first};
      enqueued_.push_back(queued);
      if (first) {
        waiting_.push_front(queued);
      } else {
        waiting_.push_back(queued);
      }
      return absl::OkStatus();
    };
    hooks.withdraw = [this](uint64_t id) {
      withdrawn_.push_back(id);
      waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(),
                                    [id](const Queued& q) { return q.id == id; }),
                     waiting_.end());
      return id != being_written_;
    };
    hooks.admit = [this] { return admit_status_; };
    hooks.unsent_status = [this] { return unsent_status_; };
    runner_ = std::make_unique<CallRunner>(io_, std::move(options), std::move(hooks), pacer);
  }

  CallDone Record(Slot& slot) {
    return [this, &slot](CallResult result) {
      ++slot.runs;
      slot.thread = std::this_thread::get_id();
      slot.at = Clock::now();
      slot.withdrawn_before_done = Contains(withdrawn_, result.ack.request_id());
      slot.result = std::move(result);
    };
  }

  Slot& StartCall(absl::StatusOr<protocol::Command> command, Clock::time_point deadline = Far()) {
    Slot& slot = slots_.emplace_back();
    slot.id = runner_->Start(std::move(command), deadline, Record(slot));
    return slot;
  }

  // Runs the I/O thread's work until `done` holds, at most `limit`.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto give_up = Clock::now() + limit;
    while (!done()) {
      if (Clock::now() >= give_up) return false;
      io_.run_one_for(10ms);
    }
    return true;
  }

  // The socket starts writing the next waiting frame and does not finish; returns its id.
  uint64_t StartWriting() {
    if (waiting_.empty()) return 0;
    being_written_ = waiting_.front().id;
    waiting_.pop_front();
    return being_written_;
  }

  // The gateway socket writes the next waiting frame; returns its id (0: none waits).
  uint64_t WriteNext() {
    if (waiting_.empty()) return 0;
    const uint64_t id = waiting_.front().id;
    waiting_.pop_front();
    runner_->OnWritten(id);
    return id;
  }

  // True when the io_context has no work left at all (no deadline timer of an ended call
  // keeps it busy): without the work guard, run_for returns as soon as it runs out of work.
  bool NoTimerLeft() {
    work_.reset();
    const auto start = Clock::now();
    io_.run_for(2s);
    const bool idle = Clock::now() - start < 1s;
    io_.restart();
    work_.emplace(io_.get_executor());
    return idle;
  }

  const Queued* FindQueued(uint64_t id) const {
    for (const auto& q : enqueued_) {
      if (q.id == id) return &q;
    }
    return nullptr;
  }
  json FrameOf(uint64_t id) const {
    const Queued* queued = FindQueued(id);
    if (queued == nullptr) return json();
    return json::parse(*queued->frame);
  }

  // An echoed command reply, as the gateway sends it back with the request's cmdId.
  events::StoredEventPtr Echo(const std::string& account, const std::string& cmd_id,
                              int64_t msg_id = 0) {
    wxbridge::v1::Event event;
    event.set_account(account);
    event.set_msg_type(0);
    event.set_msg_id(msg_id);
    event.set_cmd_id(cmd_id);
    event.mutable_command_reply()->set_content("{\"code\":0}");
    return log_.Append(std::move(event));
  }

  // Queues the re-bind and answers it with an echo, so the runner learns ECHO mode.
  void LearnEchoMode() {
    runner_->OnConnected();
    ASSERT_FALSE(enqueued_.empty());
    const Queued rebind = enqueued_.back();
    runner_->OnEvent(Echo("", FrameOf(rebind.id)["cmdId"].get<std::string>()));
    ASSERT_EQ(runner_->ack_mode(), wxbridge::v1::GATEWAY_ACK_MODE_ECHO);
  }

  void ExpectCounters(uint64_t succeeded, uint64_t failed, uint64_t in_flight) {
    const CallCounters counters = runner_->counters();
    EXPECT_EQ(counters.succeeded, succeeded);
    EXPECT_EQ(counters.failed, failed);
    EXPECT_EQ(counters.in_flight, in_flight);
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  events::EventLog log_;

  // Fake hooks: what they return and what they saw.
  absl::Status enqueue_status_;
  absl::Status admit_status_;
  absl::Status unsent_status_ = absl::UnavailableError("the gateway is not connected");
  int enqueue_calls_ = 0;
  std::vector<Queued> enqueued_;  // every frame queued, in order
  std::deque<Queued> waiting_;    // queued, not yet written, not withdrawn
  uint64_t being_written_ = 0;    // left waiting_, write not finished
  std::vector<uint64_t> withdrawn_;

  std::deque<Slot> slots_;
  std::unique_ptr<CallRunner> runner_;  // last: destroyed before what its hooks use
};

// Messages at `rate` with a burst of 1, nothing else paced.
std::unique_ptr<pacing::SendPacer> MessagePacer(pacing::PaceRate rate) {
  pacing::PacingConfig config;
  config.messages = rate;
  config.messages_burst = 1;
  config.per_chat = pacing::PaceRate{};
  config.jitter = 0ms;
  config.loop_guard = 0;
  return std::make_unique<pacing::SendPacer>(
      config, [] { return 0.0; }, nullptr);
}

TEST_F(CallRunnerTest, AHeldCallIsQueuedAtItsTurnAndItsAckSaysHowLongItWasHeld) {
  auto pacer = MessagePacer(pacing::PaceRate{20, std::chrono::seconds(1)});
  MakeRunner({}, pacer.get());
  Slot& first = StartCall(SendText("one"));
  Slot& second = StartCall(SendText("two"));
  io_.poll();
  ASSERT_EQ(enqueued_.size(), 1u) << "the second call waits for its turn, 50 ms on";
  const auto held_from = Clock::now();
  ASSERT_TRUE(RunUntil([&] { return enqueued_.size() == 2; }));
  EXPECT_GE(Clock::now() - held_from, 30ms);
  EXPECT_EQ(WriteNext(), first.id);
  EXPECT_EQ(WriteNext(), second.id);
  ASSERT_EQ(second.runs, 1);
  EXPECT_TRUE(second.result->status.ok());
  EXPECT_GE(second.result->ack.held().nanos(), 30'000'000);
  EXPECT_FALSE(first.result->ack.has_held());
  EXPECT_EQ(pacer->Accounts(Clock::now()).at(0).queued, 0u);
}

TEST_F(CallRunnerTest, ACancelledHeldCallIsNeverQueuedAndLeavesThePacersQueue) {
  auto pacer = MessagePacer(pacing::PaceRate{1, std::chrono::seconds(60)});
  MakeRunner({}, pacer.get());
  StartCall(SendText("one"));
  Slot& held = StartCall(SendText("two"));
  io_.poll();
  ASSERT_EQ(pacer->Accounts(Clock::now()).at(0).queued, 1u);
  runner_->Cancel(held.id);
  io_.poll();
  ASSERT_EQ(held.runs, 1);
  EXPECT_EQ(held.result->status.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(enqueued_.size(), 1u) << "the held frame was never queued";
  EXPECT_EQ(pacer->Accounts(Clock::now()).at(0).queued, 0u);
}

TEST_F(CallRunnerTest, ACallWhoseTurnIsAfterItsDeadlineEndsAtOnceNothingQueued) {
  auto pacer = MessagePacer(pacing::PaceRate{1, std::chrono::seconds(60)});
  MakeRunner({}, pacer.get());
  StartCall(SendText("one"));
  Slot& refused = StartCall(SendText("two"), Clock::now() + 5s);
  io_.poll();
  ASSERT_EQ(refused.runs, 1);
  EXPECT_EQ(refused.result->status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(enqueued_.size(), 1u);
  ExpectCounters(0, 1, 1);
}

TEST_F(CallRunnerTest, StartStampsEachCallAndQueuesItsFrameWithTheAuthKey) {
  Slot& a = StartCall(SendText("one"));
  Slot& b = StartCall(SendText("two"));
  Slot& c = StartCall(SendText("three"));
  EXPECT_NE(a.id, 0u);
  EXPECT_NE(b.id, 0u);
  EXPECT_NE(c.id, 0u);
  EXPECT_EQ((std::set<uint64_t>{a.id, b.id, c.id}).size(), 3u);
  ExpectCounters(0, 0, 3);
  EXPECT_TRUE(enqueued_.empty()) << "registered on the I/O thread, not in Start";

  io_.poll();
  ASSERT_EQ(enqueued_.size(), 3u);
  std::set<std::string> cmd_ids;
  const std::vector<std::pair<uint64_t, std::string>> expected = {
      {a.id, "one"}, {b.id, "two"}, {c.id, "three"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(enqueued_[i].id, expected[i].first) << "queued in the order started";
    EXPECT_FALSE(enqueued_[i].first) << "only the re-bind goes first";
    const json frame = json::parse(*enqueued_[i].frame);
    EXPECT_EQ(frame["code"], 103);
    EXPECT_EQ(frame["authKey"], kAuthKey);
    EXPECT_EQ(frame["msgId"].get<uint64_t>(), expected[i].first);
    ASSERT_TRUE(frame["cmdId"].is_string());
    EXPECT_FALSE(frame["cmdId"].get<std::string>().empty());
    cmd_ids.insert(frame["cmdId"].get<std::string>());
    EXPECT_EQ(frame["data"]["account"], kAccount);
    EXPECT_EQ(frame["data"]["toUserName"], "wxid_friend");
    EXPECT_EQ(frame["data"]["content"], expected[i].second);
  }
  EXPECT_EQ(cmd_ids.size(), 3u) << "cmdIds are unique";
  EXPECT_EQ(a.runs + b.runs + c.runs, 0) << "nothing ended yet";
}

TEST_F(CallRunnerTest, RequestIdsAreUniqueAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::mutex mutex;
  std::vector<uint64_t> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        const uint64_t id = runner_->Start(SendText(), Far(), [](CallResult) {});
        std::lock_guard<std::mutex> lock(mutex);
        ids.push_back(id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::set<uint64_t> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size());
  EXPECT_EQ(unique.count(0), 0u);
  ExpectCounters(0, 0, kThreads * kPerThread);

  io_.poll();
  ASSERT_EQ(enqueued_.size(), ids.size());
  std::set<uint64_t> msg_ids;
  std::set<std::string> cmd_ids;
  for (const auto& queued : enqueued_) {
    const json frame = json::parse(*queued.frame);
    EXPECT_EQ(frame["msgId"].get<uint64_t>(), queued.id);
    msg_ids.insert(queued.id);
    cmd_ids.insert(frame["cmdId"].get<std::string>());
  }
  EXPECT_EQ(msg_ids, unique);
  EXPECT_EQ(cmd_ids.size(), ids.size());
  runner_->FailAll(absl::UnavailableError("test over"));
  ExpectCounters(0, kThreads * kPerThread, 0);
}

TEST_F(CallRunnerTest, AnErrorCommandEndsAtOnceOnTheCallingThreadAndCountsAsFailed) {
  Slot& slot = StartCall(SendText(/*content=*/""));  // content is required
  EXPECT_EQ(slot.id, 0u);
  ASSERT_EQ(slot.runs, 1) << "ended inside Start, before the I/O thread ran";
  EXPECT_EQ(slot.thread, std::this_thread::get_id());
  EXPECT_EQ(slot.result->status.code(), absl::StatusCode::kInvalidArgument);
  ExpectCounters(0, 1, 0);
  EXPECT_TRUE(runner_->WaitForCalls(Clock::now()));

  io_.poll();
  EXPECT_EQ(enqueue_calls_, 0) << "nothing is queued for a refused command";
  EXPECT_EQ(slot.runs, 1);
  ExpectCounters(0, 1, 0);
}

TEST_F(CallRunnerTest, OnWrittenCompletesAnOnWriteCommandWhenTheGatewayDoesNotEcho) {
  Slot& slot = StartCall(SendText());
  io_.poll();
  EXPECT_EQ(slot.runs, 0) << "queued, not written";
  ASSERT_EQ(WriteNext(), slot.id);
  ASSERT_EQ(slot.runs, 1);
  EXPECT_EQ(slot.thread, std::this_thread::get_id()) << "on the I/O thread (this one)";
  const CallResult& result = *slot.result;
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.ack.completion(), wxbridge::v1::COMPLETION_WRITTEN);
  EXPECT_EQ(result.ack.request_id(), slot.id);
  EXPECT_EQ(result.ack.cmd_id(), FrameOf(slot.id)["cmdId"].get<std::string>());
  EXPECT_FALSE(result.ack.gateway_acknowledged());
  EXPECT_FALSE(result.ack.resent());
  ExpectCounters(1, 0, 0);
  EXPECT_TRUE(runner_->WaitForCalls(Clock::now()));
  EXPECT_TRUE(NoTimerLeft()) << "the deadline timer of an ended call is cancelled";
  EXPECT_EQ(slot.runs, 1);
}

TEST_F(CallRunnerTest, WhereTheGatewayEchoesAnOnWriteCommandWaitsForItsEcho) {
  LearnEchoMode();
  ExpectCounters(0, 0, 0);  // the re-bind is the bridge's own call: not counted

  Slot& slot = StartCall(SendText());
  io_.poll();
  ASSERT_EQ(WriteNext(), slot.id) << "the answered re-bind left the queue";
  EXPECT_EQ(slot.runs, 0) << "written, waiting for the echo";
  ExpectCounters(0, 0, 1);

  const std::string cmd_id = FrameOf(slot.id)["cmdId"].get<std::string>();
  const events::StoredEventPtr echo = Echo(kAccount, cmd_id);
  runner_->OnEvent(echo);
  ASSERT_EQ(slot.runs, 1);
  EXPECT_TRUE(slot.result->status.ok()) << slot.result->status;
  EXPECT_EQ(slot.result->ack.completion(), wxbridge::v1::COMPLETION_ECHOED);
  EXPECT_TRUE(slot.result->ack.gateway_acknowledged());
  EXPECT_EQ(slot.result->ack.reply_seq(), echo->event().seq());
  ExpectCounters(1, 0, 0);
}

TEST_F(CallRunnerTest, AnUnwrittenCallEndsAtItsDeadlineWithTheUnsentStatusAndIsNeverWritten) {
  const auto deadline = Clock::now() + 200ms;
  Slot& late = StartCall(SendText("behind a large image"), deadline);
  Slot& other = StartCall(SendText("still waiting"));
  io_.poll();
  ASSERT_EQ(waiting_.size(), 2u);

  ASSERT_TRUE(RunUntil([&] { return late.runs > 0; }));
  EXPECT_GE(late.at, deadline) << "not before its deadline";
  ASSERT_EQ(late.runs, 1);
  EXPECT_EQ(late.result->status, unsent_status_);
  EXPECT_EQ(late.result->ack.completion(), wxbridge::v1::COMPLETION_UNSPECIFIED);
  EXPECT_EQ(late.result->ack.request_id(), late.id);
  EXPECT_TRUE(late.withdrawn_before_done) << "the frame is withdrawn before the caller hears";
  EXPECT_TRUE(Contains(withdrawn_, late.id));
  ExpectCounters(0, 1, 1);

  // The gateway reads again: only the call still waiting is written.
  EXPECT_EQ(WriteNext(), other.id);
  EXPECT_EQ(WriteNext(), 0u);
  ASSERT_EQ(other.runs, 1);
  EXPECT_TRUE(other.result->status.ok());

  // A write of the ended call reported anyway changes nothing.
  runner_->OnWritten(late.id);
  EXPECT_EQ(late.runs, 1);
  ExpectCounters(1, 1, 0);
}

TEST_F(CallRunnerTest, ACallWhoseFrameIsBeingWrittenAtItsDeadlineIsNotReportedUnsent) {
  Slot& slot = StartCall(SendText("a large frame"), Clock::now() + 100ms);
  io_.poll();
  ASSERT_EQ(StartWriting(), slot.id);
  ASSERT_TRUE(RunUntil([&] { return slot.runs > 0; }));
  EXPECT_EQ(slot.result->status.code(), absl::StatusCode::kDeadlineExceeded)
      << "the frame goes out anyway: UNAVAILABLE would invite a duplicate retry";
  EXPECT_THAT(std::string(slot.result->status.message()), HasSubstr("being written"));
}

TEST_F(CallRunnerTest, ANewConnectionSupersedesAReBindThePreviousOneNeverWrote) {
  runner_->OnConnected();
  const uint64_t old_rebind = enqueued_.back().id;
  runner_->OnConnected();
  const uint64_t new_rebind = enqueued_.back().id;
  ASSERT_NE(old_rebind, new_rebind);
  EXPECT_TRUE(Contains(withdrawn_, old_rebind));
  ASSERT_EQ(waiting_.size(), 1u) << "one code 100 per connection";
  EXPECT_EQ(waiting_.front().id, new_rebind);
}

TEST_F(CallRunnerTest, AWrittenCallAtItsDeadlineIsDeadlineExceededNotTheUnsentStatus) {
  Slot& login = StartCall(Login(), Clock::now() + 200ms);  // waits for a login status
  io_.poll();
  ASSERT_EQ(WriteNext(), login.id);
  EXPECT_EQ(login.runs, 0);
  ASSERT_TRUE(RunUntil([&] { return login.runs > 0; }));
  EXPECT_EQ(login.result->status.code(), absl::StatusCode::kDeadlineExceeded)
      << login.result->status;
  ExpectCounters(0, 1, 0);
}

TEST_F(CallRunnerTest, CancelEndsTheCallCancelledAndALateEchoChangesNothing) {
  Slot& slot = StartCall(SendText());
  Slot& other = StartCall(SendText());
  io_.poll();
  runner_->Cancel(slot.id);
  EXPECT_EQ(slot.runs, 0) << "Cancel is posted to the I/O thread";
  io_.poll();
  ASSERT_EQ(slot.runs, 1);
  EXPECT_EQ(slot.result->status.code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(slot.withdrawn_before_done);
  ExpectCounters(0, 1, 1);

  // The queue writes the other call only.
  EXPECT_EQ(WriteNext(), other.id);
  EXPECT_EQ(WriteNext(), 0u);
  ExpectCounters(1, 1, 0);

  // The gateway answers the cancelled call anyway (by cmdId and by msgId), and its write
  // is reported: nothing changes, not even the ack mode.
  const std::string cmd_id = FrameOf(slot.id)["cmdId"].get<std::string>();
  runner_->OnEvent(Echo(kAccount, cmd_id, static_cast<int64_t>(slot.id)));
  runner_->OnWritten(slot.id);
  runner_->Cancel(slot.id);
  runner_->Cancel(0);
  io_.poll();
  EXPECT_EQ(slot.runs, 1);
  EXPECT_EQ(slot.result->status.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(other.runs, 1);
  ExpectCounters(1, 1, 0);
  EXPECT_EQ(runner_->ack_mode(), wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED);
  EXPECT_TRUE(NoTimerLeft());
}

TEST_F(CallRunnerTest, CancelOfACallWaitingForItsEchoEndsIt) {
  LearnEchoMode();
  Slot& slot = StartCall(SendText());
  io_.poll();
  ASSERT_EQ(WriteNext(), slot.id);
  runner_->Cancel(slot.id);
  io_.poll();
  ASSERT_EQ(slot.runs, 1);
  EXPECT_EQ(slot.result->status.code(), absl::StatusCode::kCancelled);
  runner_->OnEvent(Echo(kAccount, FrameOf(slot.id)["cmdId"].get<std::string>()));
  EXPECT_EQ(slot.runs, 1);
  ExpectCounters(0, 1, 0);
}

TEST_F(CallRunnerTest, AdmitRefusingEndsTheCallWithItsStatus) {
  admit_status_ = absl::UnavailableError("the bridge is shutting down");
  Slot& slot = StartCall(SendText());
  io_.poll();
  ASSERT_EQ(slot.runs, 1);
  EXPECT_EQ(slot.result->status, admit_status_);
  EXPECT_EQ(enqueue_calls_, 0) << "a refused call queues nothing";
  ExpectCounters(0, 1, 0);
  EXPECT_TRUE(runner_->WaitForCalls(Clock::now()));
  EXPECT_TRUE(NoTimerLeft());
}

TEST_F(CallRunnerTest, EnqueueFailingEndsTheCallWithItsStatus) {
  enqueue_status_ = absl::ResourceExhaustedError("the gateway write queue is full");
  Slot& slot = StartCall(SendText());
  io_.poll();
  EXPECT_EQ(enqueue_calls_, 1);
  ASSERT_EQ(slot.runs, 1);
  EXPECT_EQ(slot.result->status, enqueue_status_);
  ExpectCounters(0, 1, 0);
  EXPECT_TRUE(NoTimerLeft()) << "its deadline timer is cancelled";
  EXPECT_EQ(slot.runs, 1);

  // The queue has room again: the next call goes through.
  enqueue_status_ = absl::OkStatus();
  Slot& next = StartCall(SendText());
  io_.poll();
  ASSERT_EQ(WriteNext(), next.id);
  ASSERT_EQ(next.runs, 1);
  EXPECT_TRUE(next.result->status.ok());
  ExpectCounters(1, 1, 0);
}

TEST_F(CallRunnerTest, AnInterruptedWriteOfAWaitingCallIsResentAndItsAckSaysSo) {
  Slot& slot = StartCall(SendText());
  io_.poll();
  ASSERT_FALSE(waiting_.empty());
  // The frame was being written when the connection dropped.
  EXPECT_TRUE(runner_->ResendInterrupted(slot.id));
  EXPECT_EQ(slot.runs, 0);
  ASSERT_EQ(WriteNext(), slot.id);  // written again on the next connection
  ASSERT_EQ(slot.runs, 1);
  EXPECT_TRUE(slot.result->status.ok());
  EXPECT_TRUE(slot.result->ack.resent());
  ExpectCounters(1, 0, 0);
}

// A gateway that resets the connection on a frame it refuses (instead of closing 1009)
// must not get that frame on every reconnect while other calls wait behind it.
TEST_F(CallRunnerTest, AFrameInterruptedTwiceIsNotWrittenAThirdTimeAndItsCallEndsAborted) {
  Slot& slot = StartCall(SendText());
  io_.poll();
  ASSERT_EQ(StartWriting(), slot.id);
  EXPECT_TRUE(runner_->ResendInterrupted(slot.id));
  EXPECT_FALSE(runner_->ResendInterrupted(slot.id)) << "interrupted a second time";
  ASSERT_EQ(slot.runs, 1);
  EXPECT_EQ(slot.result->status.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(std::string(slot.result->status.message()), HasSubstr("may have received it"));
  ExpectCounters(0, 1, 0);
}

TEST_F(CallRunnerTest, AFrameTheGatewayRefusedAsTooBigEndsItsCallResourceExhausted) {
  Slot& slot = StartCall(SendText());
  io_.poll();
  ASSERT_EQ(StartWriting(), slot.id);
  runner_->RefusedTooBig(slot.id, 123456);
  ASSERT_EQ(slot.runs, 1);
  EXPECT_EQ(slot.result->status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(slot.result->status.message()),
              AllOf(HasSubstr("123456-byte"), HasSubstr("1009"), HasSubstr("not sent again")));
  runner_->RefusedTooBig(slot.id, 123456);  // a call that has ended: nothing happens
  EXPECT_EQ(slot.runs, 1);
  ExpectCounters(0, 1, 0);
}

TEST_F(CallRunnerTest, AnInterruptedWriteIsNotResentOnceTheDeadlinePassed) {
  Slot& slot = StartCall(SendText(), Clock::now() - 1ms);
  ASSERT_EQ(io_.run_one(), 1u);  // registers the call; its deadline timer has not run yet
  ASSERT_EQ(enqueued_.size(), 1u);
  ASSERT_EQ(slot.runs, 0);
  EXPECT_FALSE(runner_->ResendInterrupted(slot.id)) << "its deadline has passed";

  io_.poll();  // the deadline ends it
  ASSERT_EQ(slot.runs, 1);
  EXPECT_EQ(slot.result->status, unsent_status_);
  EXPECT_FALSE(slot.result->ack.resent());
  EXPECT_FALSE(runner_->ResendInterrupted(slot.id)) << "it has ended";
  EXPECT_EQ(WriteNext(), 0u);
  ExpectCounters(0, 1, 0);
}

TEST_F(CallRunnerTest, TheReBindIsQueuedFirstUncountedAndNeverResent) {
  Slot& slot = StartCall(SendText());
  io_.poll();
  runner_->OnConnected();
  ASSERT_EQ(enqueued_.size(), 2u);
  const Queued rebind = enqueued_.back();
  EXPECT_TRUE(rebind.first);
  EXPECT_NE(rebind.id, 0u);
  EXPECT_NE(rebind.id, slot.id);
  const json frame = FrameOf(rebind.id);
  EXPECT_EQ(frame["code"], 100);
  EXPECT_EQ(frame["authKey"], kAuthKey);
  EXPECT_EQ(frame["msgId"].get<uint64_t>(), rebind.id);
  EXPECT_TRUE(frame["cmdId"].is_string());

  EXPECT_FALSE(runner_->ResendInterrupted(rebind.id)) << "every connection sends its own";
  ExpectCounters(0, 0, 1);

  EXPECT_EQ(WriteNext(), rebind.id) << "ahead of the call waiting";
  EXPECT_EQ(WriteNext(), slot.id);
  ExpectCounters(1, 0, 0);
  EXPECT_TRUE(runner_->WaitForCalls(Clock::now()));
}

TEST_F(CallRunnerTest, ANewConnectionForgetsTheLearnedAckMode) {
  LearnEchoMode();
  runner_->OnConnected();
  EXPECT_EQ(runner_->ack_mode(), wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED);
  // Unlearned again: an on-write command completes when written.
  Slot& slot = StartCall(SendText());
  io_.poll();
  WriteNext();  // the re-bind
  ASSERT_EQ(WriteNext(), slot.id);
  EXPECT_EQ(slot.runs, 1);
}

TEST_F(CallRunnerTest, WaitForCallsIsFalseAtItsDeadlineWhileACallIsOutstanding) {
  Slot& slot = StartCall(SendText());
  io_.poll();
  const auto start = Clock::now();
  EXPECT_FALSE(runner_->WaitForCalls(start + 50ms));
  EXPECT_GE(Clock::now() - start, 45ms) << "waited until its deadline";
  EXPECT_EQ(slot.runs, 0);

  runner_->FailAll(absl::UnavailableError("gone"));
  EXPECT_TRUE(runner_->WaitForCalls(Clock::now()));
}

TEST_F(CallRunnerTest, WaitForCallsReturnsOnceEveryCallEndedOnTheIoThread) {
  std::thread io_thread([this] { io_.run(); });
  const std::thread::id io_id = io_thread.get_id();
  Slot& first = StartCall(SendText(), Clock::now() + 100ms);
  Slot& second = StartCall(SendText(), Clock::now() + 200ms);
  EXPECT_EQ(runner_->counters().in_flight, 2u);

  const auto start = Clock::now();
  const bool all_ended = runner_->WaitForCalls(start + 10s);
  const auto waited = Clock::now() - start;
  work_.reset();
  io_.stop();
  io_thread.join();

  EXPECT_TRUE(all_ended);
  EXPECT_LT(waited, 5s) << "woken when the last call ended, not at the wait's deadline";
  EXPECT_EQ(first.runs, 1);
  EXPECT_EQ(second.runs, 1);
  EXPECT_EQ(first.thread, io_id) << "done runs on the I/O thread";
  EXPECT_EQ(second.thread, io_id);
  ExpectCounters(0, 2, 0);
}

TEST_F(CallRunnerTest, FailAllEndsEveryCall) {
  runner_->OnConnected();
  Slot& a = StartCall(SendText());
  Slot& b = StartCall(Login());
  Slot& c = StartCall(SendText());
  io_.poll();
  ASSERT_EQ(enqueued_.size(), 4u);
  const uint64_t rebind_id = enqueued_.front().id;
  WriteNext();  // the re-bind
  ASSERT_EQ(WriteNext(), a.id);
  ASSERT_EQ(WriteNext(), b.id);  // written, waiting for a login status
  ExpectCounters(1, 0, 2);

  const absl::Status gone = absl::UnavailableError("the gateway connection is gone");
  runner_->FailAll(gone);
  EXPECT_EQ(a.runs, 1);
  ASSERT_EQ(b.runs, 1);
  ASSERT_EQ(c.runs, 1);
  EXPECT_EQ(b.result->status, gone);
  EXPECT_EQ(c.result->status, gone);
  EXPECT_TRUE(c.withdrawn_before_done);
  EXPECT_TRUE(Contains(withdrawn_, rebind_id));
  EXPECT_TRUE(waiting_.empty());
  ExpectCounters(1, 2, 0);
  EXPECT_TRUE(runner_->WaitForCalls(Clock::now()));
  EXPECT_TRUE(NoTimerLeft());

  runner_->FailAll(gone);  // nothing left to end
  EXPECT_EQ(c.runs, 1);
  ExpectCounters(1, 2, 0);
}

TEST_F(CallRunnerTest, CountersAreExact) {
  StartCall(SendText(""));                                      // refused: failed
  Slot& ok1 = StartCall(SendText());                            // written: succeeded
  Slot& ok2 = StartCall(SendText());                            // written: succeeded
  Slot& cancelled = StartCall(SendText());                      // cancelled: failed
  Slot& expired = StartCall(SendText(), Clock::now() + 200ms);  // deadline: failed
  Slot& open = StartCall(SendText());                           // still waiting
  ExpectCounters(0, 1, 5);
  io_.poll();
  runner_->Cancel(cancelled.id);
  io_.poll();
  ASSERT_EQ(WriteNext(), ok1.id);
  ASSERT_EQ(WriteNext(), ok2.id);
  ExpectCounters(2, 2, 2);
  ASSERT_TRUE(RunUntil([&] { return expired.runs > 0; }));
  ExpectCounters(2, 3, 1);
  EXPECT_EQ(open.runs, 0);
  EXPECT_EQ(waiting_.size(), 1u);
  runner_->FailAll(absl::UnavailableError("stop"));
  ExpectCounters(2, 4, 0);
}

TEST_F(CallRunnerTest, AFrameOverMaxFrameBytesEndsResourceExhaustedAndNothingIsQueued) {
  CallRunnerOptions options;
  options.max_frame_bytes = 4096;
  MakeRunner(options);
  // 1000 bytes of text, 6000 once JSON-escaped.
  Slot& huge = StartCall(SendText(std::string(1000, '\x01')));
  EXPECT_EQ(huge.id, 0u);
  ASSERT_EQ(huge.runs, 1) << "ended inside Start";
  EXPECT_EQ(huge.result->status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(huge.result->status.message(), HasSubstr("--max_frame_bytes"));
  EXPECT_THAT(huge.result->status.message(), HasSubstr("4096"));
  ExpectCounters(0, 1, 0);
  EXPECT_TRUE(runner_->WaitForCalls(Clock::now()));

  // Other calls are still served.
  Slot& fine = StartCall(SendText(std::string(100, '\x01')));
  io_.poll();
  EXPECT_EQ(enqueue_calls_, 1) << "only the call within the limit is queued";
  ASSERT_EQ(WriteNext(), fine.id);
  ASSERT_EQ(fine.runs, 1);
  EXPECT_TRUE(fine.result->status.ok()) << fine.result->status;
  ExpectCounters(1, 1, 0);
}

TEST_F(CallRunnerTest, CallsBeyondMaxCallsInFlightAreRefusedAtOnceAndCountedFailed) {
  CallRunnerOptions options;
  options.max_calls_in_flight = 2;
  MakeRunner(options);
  Slot& first = StartCall(SendText());
  Slot& second = StartCall(SendText());
  Slot& third = StartCall(SendText());
  EXPECT_EQ(third.id, 0u);
  ASSERT_EQ(third.runs, 1) << "refused inside Start";
  EXPECT_EQ(third.result->status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(third.result->status.message(), HasSubstr("2 calls in flight"));
  EXPECT_THAT(third.result->status.message(), HasSubstr("--max_calls_in_flight"));
  ExpectCounters(0, 1, 2);

  io_.poll();
  ASSERT_EQ(WriteNext(), first.id);
  ExpectCounters(1, 1, 1);
  // A slot is free again: the next call is served.
  Slot& fourth = StartCall(SendText());
  EXPECT_NE(fourth.id, 0u);
  io_.poll();
  ASSERT_EQ(WriteNext(), second.id);
  ASSERT_EQ(WriteNext(), fourth.id);
  EXPECT_EQ(fourth.runs, 1);
  EXPECT_TRUE(fourth.result->status.ok());
  ExpectCounters(3, 1, 0);
}

}  // namespace
}  // namespace wxbridge::calls
