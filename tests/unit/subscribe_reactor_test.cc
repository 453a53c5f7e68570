// Subscribe streams end to end over a real in-process gRPC server whose service
// implements only Subscribe: hello, live and resumed delivery, gaps, filters,
// heartbeats, fan-out, a stalled client, cancellation and graceful shutdown.
#include "server/rpc/subscribe_reactor.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "gtest/gtest.h"
#include "server/events/event_log.h"
#include "tests/support/poll_until.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::rpc {
namespace {

using std::chrono::milliseconds;
using wxbridge::testing::PollUntil;
using wxbridge::v1::Event;
using wxbridge::v1::SubscribeRequest;
using wxbridge::v1::SubscribeResponse;

constexpr milliseconds kWait = std::chrono::seconds(20);  // upper bound for any condition

Event Text(const std::string& account, std::string text = "hi") {
  Event event;
  event.set_account(account);
  event.mutable_text()->set_text(std::move(text));
  return event;
}

Event BridgeState() {
  Event event;
  event.mutable_bridge_state()->set_state(wxbridge::v1::UPSTREAM_STATE_CONNECTED);
  return event;
}

// Raw Subscribe, as BridgeServiceImpl serves it.
class SubscribeOnlyService : public wxbridge::v1::BridgeService::WithRawCallbackMethod_Subscribe<
                                 wxbridge::v1::BridgeService::CallbackService> {
 public:
  SubscribeOnlyService(SubscribeOptions options, SubscriberRegistry* registry)
      : options_(std::move(options)), registry_(registry) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override {
    return StartSubscribe(context, request, options_, registry_, *wxbridge::auth::OpenGrant());
  }

 private:
  const SubscribeOptions options_;
  SubscriberRegistry* const registry_;
};

// One client stream with a deadline, so that a bug fails the test instead of hanging it.
struct ClientStream {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<SubscribeResponse>> reader;

  SubscribeResponse Next() {
    SubscribeResponse response;
    EXPECT_TRUE(reader->Read(&response)) << "stream ended early";
    return response;
  }
  // The seqs of the next `n` events, skipping heartbeats; a gap fails the test.
  std::vector<uint64_t> NextEvents(std::size_t n) {
    std::vector<uint64_t> seqs;
    SubscribeResponse response;
    while (seqs.size() < n && reader->Read(&response)) {
      if (response.has_heartbeat()) continue;
      EXPECT_TRUE(response.has_event()) << response.ShortDebugString();
      seqs.push_back(response.event().seq());
    }
    return seqs;
  }
  // The next `n` batched events: their seqs, and the size of each batch they came in; a
  // single `event` or a gap fails the test.
  std::vector<uint64_t> NextBatchedEvents(std::size_t n, std::vector<int>* batch_sizes) {
    std::vector<uint64_t> seqs;
    SubscribeResponse response;
    while (seqs.size() < n && reader->Read(&response)) {
      if (response.has_heartbeat()) continue;
      EXPECT_TRUE(response.has_batch()) << response.ShortDebugString();
      EXPECT_GT(response.batch().events_size(), 0);
      batch_sizes->push_back(response.batch().events_size());
      for (const Event& event : response.batch().events()) seqs.push_back(event.seq());
    }
    return seqs;
  }
};

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> seqs;
  for (uint64_t seq = first; seq <= last; ++seq) seqs.push_back(seq);
  return seqs;
}

class SubscribeReactorTest : public ::testing::Test {
 protected:
  void StartServer(std::size_t capacity = 1024) {
    log_ = std::make_unique<events::EventLog>(events::EventLogOptions{capacity});
    SubscribeOptions options;
    options.log = log_.get();
    options.upstream_state = [] { return wxbridge::v1::UPSTREAM_STATE_CONNECTED; };
    options.bridge_version = "test-1";
    options.read_chunk = 16;
    options.max_batch_bytes = max_batch_bytes_;
    options.max_streams = max_streams_;
    service_ = std::make_unique<SubscribeOnlyService>(options, &registry_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_);
    address_ = "127.0.0.1:" + std::to_string(port);
    stub_ = NewStub();
  }

  void TearDown() override {
    if (!server_) return;
    registry_.FinishAll(grpc::Status(grpc::StatusCode::UNAVAILABLE, "test over"));
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_->Wait();
  }

  // A channel of its own (its own connection) when `args` differ from the default.
  std::unique_ptr<wxbridge::v1::BridgeService::Stub> NewStub(grpc::ChannelArguments args = {}) {
    return wxbridge::v1::BridgeService::NewStub(
        grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args));
  }

  std::unique_ptr<ClientStream> Open(const SubscribeRequest& request,
                                     wxbridge::v1::BridgeService::Stub* stub = nullptr) {
    auto stream = std::make_unique<ClientStream>();
    stream->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    stream->reader = (stub ? stub : stub_.get())->Subscribe(&stream->context, request);
    return stream;
  }

  // Opens a stream and consumes its hello.
  std::unique_ptr<ClientStream> OpenPastHello(const SubscribeRequest& request = {}) {
    std::unique_ptr<ClientStream> stream = Open(request);
    EXPECT_TRUE(stream->Next().has_hello());
    return stream;
  }

  void AppendTexts(int n, const std::string& account = "a") {
    for (int i = 0; i < n; ++i) log_->Append(Text(account));
  }

  std::size_t max_batch_bytes_ = 1 << 20;
  std::size_t max_streams_ = SubscribeOptions().max_streams;
  std::unique_ptr<events::EventLog> log_;
  SubscriberRegistry registry_;
  std::unique_ptr<SubscribeOnlyService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::unique_ptr<wxbridge::v1::BridgeService::Stub> stub_;
};

TEST_F(SubscribeReactorTest, StreamsBeyondMaxStreamsAreRefusedUntilOneEnds) {
  max_streams_ = 2;
  StartServer();
  std::unique_ptr<ClientStream> first = OpenPastHello();
  std::unique_ptr<ClientStream> second = OpenPastHello();

  std::unique_ptr<ClientStream> third = Open({});
  SubscribeResponse response;
  EXPECT_FALSE(third->reader->Read(&response)) << "a third stream was served";
  const grpc::Status refused = third->reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("--max_subscribers"), std::string::npos)
      << refused.error_message();
  EXPECT_EQ(registry_.count(), 2u);

  // One ends: its place is free again.
  first->context.TryCancel();
  ASSERT_TRUE(PollUntil([&] { return registry_.count() == 1; }, kWait));
  std::unique_ptr<ClientStream> again = OpenPastHello();
  EXPECT_EQ(registry_.count(), 2u);
}

TEST_F(SubscribeReactorTest, HelloComesFirstAndStatesTheResumePoint) {
  StartServer();
  AppendTexts(3);
  std::unique_ptr<ClientStream> stream = Open({});
  SubscribeResponse first = stream->Next();
  ASSERT_TRUE(first.has_hello()) << first.ShortDebugString();
  EXPECT_EQ(first.hello().head_seq(), 3u);
  EXPECT_EQ(first.hello().oldest_seq(), 1u);
  EXPECT_EQ(first.hello().upstream_state(), wxbridge::v1::UPSTREAM_STATE_CONNECTED);
  EXPECT_EQ(first.hello().bridge_version(), "test-1");
  EXPECT_EQ(first.hello().heartbeat_interval().seconds(), 15);
  EXPECT_GT(first.hello().server_time().seconds(), 0);
  EXPECT_EQ(registry_.count(), 1u);
}

TEST_F(SubscribeReactorTest, EventsAfterTheHelloArriveInOrder) {
  StartServer();
  AppendTexts(2);  // before the stream: not delivered without after_seq
  std::unique_ptr<ClientStream> stream = OpenPastHello();
  AppendTexts(40);
  EXPECT_EQ(stream->NextEvents(40), Range(3, 42));
}

TEST_F(SubscribeReactorTest, AfterSeqResumesWithTheRetainedEventsAndThenLiveOnes) {
  StartServer();
  AppendTexts(10);
  SubscribeRequest request;
  request.set_after_seq(4);
  std::unique_ptr<ClientStream> stream = Open(request);
  EXPECT_EQ(stream->Next().hello().head_seq(), 10u);
  EXPECT_EQ(stream->NextEvents(6), Range(5, 10));
  AppendTexts(2);
  EXPECT_EQ(stream->NextEvents(2), Range(11, 12));
}

TEST_F(SubscribeReactorTest, AfterSeqOlderThanTheRetentionGetsAGapThenEvents) {
  StartServer(/*capacity=*/4);
  AppendTexts(10);
  SubscribeRequest request;
  request.set_after_seq(2);
  std::unique_ptr<ClientStream> stream = Open(request);
  EXPECT_EQ(stream->Next().hello().oldest_seq(), 7u);
  SubscribeResponse gap = stream->Next();
  ASSERT_TRUE(gap.has_gap()) << gap.ShortDebugString();
  EXPECT_EQ(gap.gap().first_missing_seq(), 3u);
  EXPECT_EQ(gap.gap().first_available_seq(), 7u);
  EXPECT_EQ(gap.gap().log_id(), log_->log_id());
  EXPECT_EQ(stream->NextEvents(4), Range(7, 10));
}

TEST_F(SubscribeReactorTest, AccountFilterPassesBridgeStateEvents) {
  StartServer();
  SubscribeRequest request;
  request.add_accounts("a");
  std::unique_ptr<ClientStream> stream = OpenPastHello(request);
  log_->Append(Text("b"));      // 1
  log_->Append(Text("a"));      // 2
  log_->Append(BridgeState());  // 3
  log_->Append(Text("b"));      // 4
  log_->Append(Text("a"));      // 5
  EXPECT_EQ(stream->NextEvents(3), (std::vector<uint64_t>{2, 3, 5}));
}

TEST_F(SubscribeReactorTest, KindFilterDeliversOnlyTheListedKinds) {
  StartServer();
  SubscribeRequest request;
  request.add_kinds(wxbridge::v1::EVENT_KIND_BRIDGE_STATE);
  request.add_kinds(wxbridge::v1::EVENT_KIND_CONTACT);
  std::unique_ptr<ClientStream> stream = OpenPastHello(request);
  Event contact;
  contact.set_account("a");
  contact.mutable_contact();
  log_->Append(Text("a"));      // 1
  log_->Append(BridgeState());  // 2
  log_->Append(Text("a"));      // 3
  log_->Append(contact);        // 4
  EXPECT_EQ(stream->NextEvents(2), (std::vector<uint64_t>{2, 4}));
}

SubscribeRequest Batched(uint32_t max_batch) {
  SubscribeRequest request;
  request.set_max_batch(max_batch);
  return request;
}

TEST_F(SubscribeReactorTest, BatchedStreamTakesWhatIsWaitingUpToMaxBatch) {
  StartServer();
  AppendTexts(100);
  SubscribeRequest request = Batched(32);
  request.set_after_seq(0);
  std::unique_ptr<ClientStream> stream = OpenPastHello(request);
  std::vector<int> sizes;
  EXPECT_EQ(stream->NextBatchedEvents(100, &sizes), Range(1, 100));
  // Everything was waiting, so every batch is full, across the log's 16-event reads.
  EXPECT_EQ(sizes, (std::vector<int>{32, 32, 32, 4}));
  // A live event on a caught-up stream goes at once, alone: nothing waits to fill.
  log_->Append(Text("a"));
  sizes.clear();
  EXPECT_EQ(stream->NextBatchedEvents(1, &sizes), Range(101, 101));
  EXPECT_EQ(sizes, std::vector<int>{1});
}

TEST_F(SubscribeReactorTest, BatchesStayUnderTheByteLimitUnlessOneEventIsLarger) {
  max_batch_bytes_ = 64 * 1024;
  StartServer();
  log_->Append(Text("a", std::string(100 * 1024, 'x')));  // 1: larger than the limit
  log_->Append(Text("a", std::string(40 * 1024, 'x')));   // 2
  log_->Append(Text("a", std::string(40 * 1024, 'x')));   // 3: 2 + 3 > limit
  AppendTexts(10);                                        // 4..13 fit with 3
  SubscribeRequest request = Batched(1000);
  request.set_after_seq(0);
  std::unique_ptr<ClientStream> stream = OpenPastHello(request);
  std::vector<int> sizes;
  EXPECT_EQ(stream->NextBatchedEvents(13, &sizes), Range(1, 13));
  EXPECT_EQ(sizes, (std::vector<int>{1, 1, 11}));
}

TEST_F(SubscribeReactorTest, BatchesHoldOnlyMatchingEvents) {
  StartServer();
  for (int i = 0; i < 30; ++i) log_->Append(Text(i % 3 == 0 ? "a" : "b"));
  SubscribeRequest request = Batched(100);
  request.set_after_seq(0);
  request.add_accounts("a");
  std::unique_ptr<ClientStream> stream = OpenPastHello(request);
  std::vector<uint64_t> expected;
  for (uint64_t seq = 1; seq <= 30; seq += 3) expected.push_back(seq);
  std::vector<int> sizes;
  EXPECT_EQ(stream->NextBatchedEvents(expected.size(), &sizes), expected);
  EXPECT_EQ(sizes, std::vector<int>{10});
}

TEST_F(SubscribeReactorTest, BatchedStreamBehindTheRetentionGetsTheGapFirst) {
  StartServer(/*capacity=*/8);
  AppendTexts(20);
  SubscribeRequest request = Batched(100);
  request.set_after_seq(0);
  std::unique_ptr<ClientStream> stream = OpenPastHello(request);
  SubscribeResponse gap = stream->Next();
  ASSERT_TRUE(gap.has_gap()) << gap.ShortDebugString();
  EXPECT_EQ(gap.gap().first_missing_seq(), 1u);
  EXPECT_EQ(gap.gap().first_available_seq(), 13u);
  std::vector<int> sizes;
  EXPECT_EQ(stream->NextBatchedEvents(8, &sizes), Range(13, 20));
  EXPECT_EQ(sizes, std::vector<int>{8});
}

TEST_F(SubscribeReactorTest, BadRequestsFinishWithInvalidArgument) {
  StartServer();
  SubscribeRequest unknown_kind;
  unknown_kind.add_kinds(static_cast<wxbridge::v1::EventKind>(99));
  SubscribeRequest negative_heartbeat;
  negative_heartbeat.mutable_heartbeat_interval()->set_seconds(-1);
  for (const SubscribeRequest& request : {unknown_kind, negative_heartbeat}) {
    std::unique_ptr<ClientStream> stream = Open(request);
    SubscribeResponse response;
    EXPECT_FALSE(stream->reader->Read(&response));
    grpc::Status status = stream->reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_FALSE(status.error_message().empty());
  }
  EXPECT_TRUE(PollUntil([&] { return registry_.count() == 0; }, kWait));
}

TEST_F(SubscribeReactorTest, QuietStreamGetsHeartbeatsAtTheRequestedInterval) {
  StartServer();
  AppendTexts(5);
  SubscribeRequest request;
  request.mutable_heartbeat_interval()->set_nanos(150 * 1000 * 1000);
  std::unique_ptr<ClientStream> stream = Open(request);
  EXPECT_EQ(stream->Next().hello().heartbeat_interval().nanos(), 150 * 1000 * 1000);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    SubscribeResponse beat = stream->Next();
    ASSERT_TRUE(beat.has_heartbeat()) << beat.ShortDebugString();
    EXPECT_EQ(beat.heartbeat().head_seq(), 5u);
    EXPECT_EQ(beat.heartbeat().interval().nanos(), 150 * 1000 * 1000);
  }
  // Three beats at 150 ms: well under the 15 s default, and not a busy loop.
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(SubscribeReactorTest, HeartbeatBelowTheMinimumIsRaisedToIt) {
  StartServer();
  SubscribeRequest request;
  request.mutable_heartbeat_interval()->set_nanos(1000);
  std::unique_ptr<ClientStream> stream = Open(request);
  EXPECT_EQ(stream->Next().hello().heartbeat_interval().nanos(), 100 * 1000 * 1000);
}

TEST_F(SubscribeReactorTest, ManySubscribersAllGetEveryEvent) {
  StartServer();
  std::vector<std::unique_ptr<ClientStream>> streams;
  for (int i = 0; i < 50; ++i) streams.push_back(OpenPastHello());
  AppendTexts(200);
  for (auto& stream : streams) EXPECT_EQ(stream->NextEvents(200), Range(1, 200));
  EXPECT_EQ(registry_.count(), 50u);
}

// A client that never reads fills its flow-control window and then has one write stuck
// in flight; the appender and a fast client must not notice. It gets a Gap later.
TEST_F(SubscribeReactorTest, StalledSubscriberDoesNotDelayAFastOne) {
  constexpr std::size_t kCapacity = 128;
  constexpr uint64_t kEvents = 1500;
  const std::string big(16 * 1024, 'x');
  StartServer(kCapacity);
  // Own connections; no BDP probing, so the stalled window stays small (64 KiB).
  grpc::ChannelArguments stalled_args;
  stalled_args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  stalled_args.SetString("test.connection", "stalled");
  auto stalled_stub = NewStub(stalled_args);
  grpc::ChannelArguments fast_args;
  fast_args.SetString("test.connection", "fast");
  auto fast_stub = NewStub(fast_args);

  std::unique_ptr<ClientStream> stalled = Open({}, stalled_stub.get());
  ASSERT_TRUE(stalled->Next().has_hello());
  std::unique_ptr<ClientStream> fast = Open({}, fast_stub.get());
  ASSERT_TRUE(fast->Next().has_hello());

  std::atomic<uint64_t> fast_seen{0};
  std::atomic<bool> fast_in_order{true};
  std::thread reader([&] {
    SubscribeResponse response;
    while (fast_seen < kEvents && fast->reader->Read(&response)) {
      if (!response.has_event()) continue;
      if (response.event().seq() != fast_seen + 1) fast_in_order = false;
      fast_seen = response.event().seq();
    }
  });
  // A failed ASSERT below returns with the reader still running: end its stream and join
  // it, so one failure fails this test instead of terminating the binary.
  const auto join_reader = absl::MakeCleanup([&] {
    if (!reader.joinable()) return;
    fast->context.TryCancel();
    reader.join();
  });
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t seq = 1; seq <= kEvents; ++seq) {
    // Pace the appender to the fast reader (half a ring ahead at most) so that the fast
    // one never falls out of the window; the stalled one falls far behind.
    ASSERT_TRUE(PollUntil([&] { return seq - fast_seen < kCapacity / 2; }, kWait));
    log_->Append(Text("a", big));
  }
  ASSERT_TRUE(PollUntil([&] { return fast_seen == kEvents; }, kWait));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  reader.join();
  EXPECT_TRUE(fast_in_order);
  EXPECT_LT(elapsed, kWait);
  EXPECT_EQ(registry_.count(), 2u);  // the stalled stream is still open

  // Now the stalled client reads: a few events that were in flight, then a Gap.
  bool gap_seen = false;
  SubscribeResponse response;
  while (!gap_seen && stalled->reader->Read(&response)) {
    if (response.has_gap()) {
      gap_seen = true;
      EXPECT_GE(response.gap().first_available_seq(), kEvents - kCapacity + 1);
    }
  }
  EXPECT_TRUE(gap_seen);
}

TEST_F(SubscribeReactorTest, CancelledStreamLeavesTheRegistry) {
  StartServer();
  std::unique_ptr<ClientStream> stream = OpenPastHello();
  EXPECT_EQ(registry_.count(), 1u);
  stream->context.TryCancel();
  EXPECT_EQ(stream->reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(PollUntil([&] { return registry_.count() == 0; }, kWait));
}

TEST_F(SubscribeReactorTest, FinishAllEndsStreamsAndLetsShutdownComplete) {
  StartServer();
  std::vector<std::unique_ptr<ClientStream>> streams;
  for (int i = 0; i < 3; ++i) streams.push_back(OpenPastHello());
  AppendTexts(5);
  const grpc::Status bye(grpc::StatusCode::UNAVAILABLE, "shutting down");
  registry_.FinishAll(bye);
  for (auto& stream : streams) {
    SubscribeResponse response;
    while (stream->reader->Read(&response)) {
    }
    grpc::Status status = stream->reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(status.error_message(), "shutting down");
  }
  // A stream that starts afterwards ends at once with the same status.
  std::unique_ptr<ClientStream> late = Open({});
  SubscribeResponse response;
  EXPECT_FALSE(late->reader->Read(&response));
  EXPECT_EQ(late->reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(PollUntil([&] { return registry_.count() == 0; }, kWait));

  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(30));
  server_->Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  server_.reset();
}

}  // namespace
}  // namespace wxbridge::rpc
