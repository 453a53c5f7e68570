#include "server/upstream/upstream_client.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"
#include "tests/support/ws_test_server.h"

namespace wxbridge::upstream {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using wxbridge::testing::ServerRecord;
using wxbridge::testing::TlsFiles;
using wxbridge::testing::WsTestServer;
using wxbridge::v1::UpstreamState;

constexpr milliseconds kWait(5000);

struct StateChange {
  UpstreamState state;
  std::string detail;
  uint32_t attempt;
  milliseconds retry_in;
  std::chrono::steady_clock::time_point at;
};

// Everything the client reported, in order.
struct ClientRecord {
  std::vector<std::string> events;  // "state CONNECTED", "connected", "written 3", ...
  std::vector<StateChange> states;
  std::vector<std::pair<std::string, bool>> frames;
  std::vector<uint64_t> written;
  std::vector<uint64_t> interrupted;

  int Count(UpstreamState state) const {
    return static_cast<int>(std::count_if(states.begin(), states.end(),
                                          [&](const StateChange& s) { return s.state == state; }));
  }
  std::vector<StateChange> Only(UpstreamState state) const {
    std::vector<StateChange> out;
    for (const StateChange& s : states) {
      if (s.state == state) out.push_back(s);
    }
    return out;
  }
};

// An UpstreamClient on its own io thread, recording its callbacks for the test thread.
class ClientHarness {
 public:
  explicit ClientHarness(UpstreamConfig config) : work_(boost::asio::make_work_guard(io_)) {
    UpstreamCallbacks callbacks;
    callbacks.on_connected = [this] {
      Record([](ClientRecord& r) { r.events.push_back("connected"); });
      if (on_connected_) on_connected_(*client_);
    };
    callbacks.on_frame = [this](std::string frame, bool binary) {
      Record([&](ClientRecord& r) {
        r.events.push_back("frame " + frame.substr(0, 32));
        r.frames.emplace_back(std::move(frame), binary);
      });
    };
    callbacks.on_written = [this](uint64_t token) {
      Record([&](ClientRecord& r) {
        r.events.push_back("written " + std::to_string(token));
        r.written.push_back(token);
      });
    };
    callbacks.resend_interrupted = [this](uint64_t token) {
      Record([&](ClientRecord& r) {
        r.events.push_back("interrupted " + std::to_string(token));
        r.interrupted.push_back(token);
      });
      return resend_interrupted_.load();
    };
    callbacks.on_state = [this](UpstreamState state, const std::string& detail, uint32_t attempt,
                                milliseconds retry_in) {
      Record([&](ClientRecord& r) {
        r.events.push_back("state " + wxbridge::v1::UpstreamState_Name(state));
        r.states.push_back({state, detail, attempt, retry_in, std::chrono::steady_clock::now()});
      });
    };
    client_ = std::make_unique<UpstreamClient>(io_, std::move(config), std::move(callbacks));
    thread_ = std::thread([this] { io_.run(); });
  }

  ~ClientHarness() {
    if (client_) StopAndWait();
    boost::asio::post(io_, [this] { io_.stop(); });
    thread_.join();
    client_.reset();  // the io_context no longer runs: allowed off its thread
  }

  // What resend_interrupted answers.
  void set_resend_interrupted(bool resend) { resend_interrupted_ = resend; }

  // Runs inside on_connected, on the io thread. Set before Start().
  void set_on_connected(std::function<void(UpstreamClient&)> hook) {
    on_connected_ = std::move(hook);
  }

  // Runs `f` on the io thread and returns its result.
  template <typename F>
  auto OnIo(F f) -> decltype(f()) {
    auto task = std::make_shared<std::packaged_task<decltype(f())()>>(std::move(f));
    auto result = task->get_future();
    boost::asio::post(io_, [task] { (*task)(); });
    if (result.wait_for(kWait) != std::future_status::ready) {
      std::fprintf(stderr, "the client's io thread is stuck\n");
      std::abort();
    }
    return result.get();
  }

  void Start() {
    OnIo([this] { client_->Start(); });
  }
  bool Write(const std::string& frame, uint64_t token) {
    return OnIo(
        [&] { return client_->Write(std::make_shared<const std::string>(frame), token).ok(); });
  }

  // Stops the client and waits for `done`; how many times it ran (expect 1).
  int StopAndWait() {
    auto done_count = std::make_shared<int>(0);
    auto done = std::make_shared<std::promise<void>>();
    OnIo([&] {
      client_->Stop([done_count, done] {
        if (++*done_count == 1) done->set_value();
      });
    });
    if (done->get_future().wait_for(kWait) != std::future_status::ready) return 0;
    return OnIo([&] { return *done_count; });
  }

  bool WaitFor(const std::function<bool(const ClientRecord&)>& done, milliseconds timeout = kWait) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done(record_); });
  }
  // on_connected runs after on_state(CONNECTED): waiting for it sees both.
  bool WaitForConnected(int count = 1) {
    return WaitFor([&](const ClientRecord& r) {
      return std::count(r.events.begin(), r.events.end(), "connected") >= count;
    });
  }
  bool WaitForState(UpstreamState state, int count = 1) {
    return WaitFor([&](const ClientRecord& r) { return r.Count(state) >= count; });
  }

  ClientRecord record() {
    std::lock_guard<std::mutex> lock(mu_);
    return record_;
  }

  UpstreamClient& client() { return *client_; }
  void Destroy() {
    OnIo([this] { client_.reset(); });
  }

 private:
  void Record(const std::function<void(ClientRecord&)>& change) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      change(record_);
    }
    cv_.notify_all();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<UpstreamClient> client_;
  std::function<void(UpstreamClient&)> on_connected_;
  std::atomic<bool> resend_interrupted_{false};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  ClientRecord record_;
};

UpstreamConfig ConfigFor(const std::string& url) {
  UpstreamConfig config;
  config.url = url;
  config.connect_timeout = milliseconds(2000);
  config.backoff_initial = milliseconds(20);
  config.backoff_max = milliseconds(50);
  config.close_timeout = milliseconds(500);
  return config;
}

class UpstreamClientTest : public ::testing::Test {
 protected:
  UpstreamConfig Config() const { return ConfigFor(server_.url()); }

  ClientHarness& NewClient(UpstreamConfig config) {
    harness_ = std::make_unique<ClientHarness>(std::move(config));
    return *harness_;
  }

  // Starts a client and waits until both ends see the WebSocket open.
  ::testing::AssertionResult Connect(UpstreamConfig config) {
    NewClient(std::move(config)).Start();
    if (!harness_->WaitForConnected()) return ::testing::AssertionFailure() << "no on_connected";
    if (!server_.WaitFor([](const ServerRecord& r) { return r.handshakes >= 1; }, kWait)) {
      return ::testing::AssertionFailure() << "the server saw no handshake";
    }
    return ::testing::AssertionSuccess();
  }

  WsTestServer server_;
  std::unique_ptr<ClientHarness> harness_;  // declared last: goes before the server
};

TEST_F(UpstreamClientTest, FramesQueuedBeforeConnectingWaitAndAFirstFrameGoesAhead) {
  ClientHarness& harness = NewClient(ConfigFor(server_.url("/ws?room=1")));
  harness.set_on_connected([](UpstreamClient& client) {
    EXPECT_TRUE(client.connected());
    EXPECT_TRUE(
        client.Write(std::make_shared<const std::string>("rebind"), 1, /*first=*/true).ok());
  });
  const bool queued_before_connect = harness.OnIo([&] {
    harness.client().Start();
    return harness.client().Write(std::make_shared<const std::string>("early"), 99).ok();
  });
  EXPECT_TRUE(queued_before_connect);

  ASSERT_TRUE(harness.WaitForConnected());
  EXPECT_TRUE(harness.Write("second", 2));
  ASSERT_TRUE(server_.WaitFor([](const ServerRecord& r) { return r.frames.size() >= 3; }, kWait));
  ASSERT_TRUE(harness.WaitFor([](const ClientRecord& r) { return r.written.size() >= 3; }));

  EXPECT_THAT(server_.record().frames, ElementsAre("rebind", "early", "second"));
  EXPECT_THAT(harness.record().events, ElementsAre("state UPSTREAM_STATE_CONNECTED", "connected",
                                                   "written 1", "written 99", "written 2"));
  EXPECT_EQ(server_.record().last_target, "/ws?room=1");
  EXPECT_EQ(server_.record().last_host, server_.url("").substr(sizeof("ws://") - 1));
}

TEST_F(UpstreamClientTest, FramesFlowFromTheGatewayWithTheirKind) {
  ASSERT_TRUE(Connect(Config()));
  server_.Send(R"({"MsgType":1,"Content":"你好"})");
  server_.Send(std::string("\x01\x02", 2), /*binary=*/true);
  ASSERT_TRUE(harness_->WaitFor([](const ClientRecord& r) { return r.frames.size() >= 2; }));
  EXPECT_THAT(harness_->record().frames,
              ElementsAre(std::make_pair(std::string(R"({"MsgType":1,"Content":"你好"})"), false),
                          std::make_pair(std::string("\x01\x02", 2), true)));
}

TEST_F(UpstreamClientTest, WritesGoOutInOrderAndReportTheirTokens) {
  ASSERT_TRUE(Connect(Config()));
  constexpr uint64_t kFrames = 100;
  std::vector<uint64_t> tokens;
  std::vector<std::string> frames;
  for (uint64_t token = 1; token <= kFrames; ++token) {
    tokens.push_back(token);
    frames.push_back("frame " + std::to_string(token));
  }
  const std::size_t queued = harness_->OnIo([&] {
    for (uint64_t token : tokens) {
      EXPECT_TRUE(harness_->client()
                      .Write(std::make_shared<const std::string>(frames[token - 1]), token)
                      .ok());
    }
    return harness_->client().queued();
  });
  EXPECT_EQ(queued, kFrames);  // one in flight, the rest waiting: none written yet

  ASSERT_TRUE(
      harness_->WaitFor([&](const ClientRecord& r) { return r.written.size() == kFrames; }));
  ASSERT_TRUE(
      server_.WaitFor([&](const ServerRecord& r) { return r.frames.size() == kFrames; }, kWait));
  EXPECT_EQ(harness_->record().written, tokens);
  EXPECT_EQ(server_.record().frames, frames);
  EXPECT_EQ(harness_->OnIo([&] { return harness_->client().queued(); }), 0u);
}

TEST_F(UpstreamClientTest, ReconnectsWithGrowingAttemptsAndCappedBackoff) {
  ASSERT_TRUE(Connect(Config()));
  server_.StopListening();
  server_.DropConnection();
  ASSERT_TRUE(harness_->WaitForState(wxbridge::v1::UPSTREAM_STATE_RECONNECTING, 5));
  server_.StartListening();
  ASSERT_TRUE(harness_->WaitForConnected(2));

  const ClientRecord record = harness_->record();
  const std::vector<StateChange> retries = record.Only(wxbridge::v1::UPSTREAM_STATE_RECONNECTING);
  for (std::size_t i = 0; i < retries.size(); ++i) {
    EXPECT_EQ(retries[i].attempt, i + 1);
    EXPECT_GE(retries[i].retry_in, milliseconds(20));
    EXPECT_LE(retries[i].retry_in, milliseconds(50));
  }
  // Every retry follows a report of what went wrong.
  for (std::size_t i = 1; i < record.states.size(); ++i) {
    if (record.states[i].state == wxbridge::v1::UPSTREAM_STATE_RECONNECTING) {
      EXPECT_EQ(record.states[i - 1].state, wxbridge::v1::UPSTREAM_STATE_DISCONNECTED);
    }
  }
  EXPECT_THAT(record.Only(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED).back().detail,
              HasSubstr("connect to " + server_.url()));
}

TEST_F(UpstreamClientTest, BackoffKeepsGrowingWhenConnectionsDoNotLast) {
  ASSERT_TRUE(Connect(Config()));  // ping_interval 10 s: no connection here lasts that long
  for (int drop = 1; drop <= 3; ++drop) {
    ASSERT_TRUE(harness_->WaitForConnected(drop));
    server_.DropConnection();
    ASSERT_TRUE(harness_->WaitForState(wxbridge::v1::UPSTREAM_STATE_RECONNECTING, drop));
  }
  std::vector<uint32_t> attempts;
  for (const StateChange& s : harness_->record().Only(wxbridge::v1::UPSTREAM_STATE_RECONNECTING)) {
    attempts.push_back(s.attempt);
  }
  EXPECT_THAT(attempts, ElementsAre(1, 2, 3));
}

TEST_F(UpstreamClientTest, BackoffStartsOverAfterAConnectionThatLasted) {
  UpstreamConfig config = Config();
  config.ping_interval = milliseconds(30);
  ASSERT_TRUE(Connect(config));
  for (int drop = 1; drop <= 2; ++drop) {
    ASSERT_TRUE(harness_->WaitForConnected(drop));
    // The rule is about time: let the connection outlive a ping interval.
    std::this_thread::sleep_for(3 * config.ping_interval);
    server_.DropConnection();
    ASSERT_TRUE(harness_->WaitForState(wxbridge::v1::UPSTREAM_STATE_RECONNECTING, drop));
  }
  for (const StateChange& s : harness_->record().Only(wxbridge::v1::UPSTREAM_STATE_RECONNECTING)) {
    EXPECT_EQ(s.attempt, 1u);
  }
}

TEST_F(UpstreamClientTest, DetectsADeadGatewayThroughUnansweredPings) {
  server_.Stall();
  UpstreamConfig config = Config();
  config.ping_interval = milliseconds(50);
  ASSERT_TRUE(Connect(config));
  ASSERT_TRUE(harness_->WaitForState(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED));

  const ClientRecord record = harness_->record();
  ASSERT_EQ(record.states.front().state, wxbridge::v1::UPSTREAM_STATE_CONNECTED);
  const StateChange dropped = record.Only(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED).front();
  EXPECT_THAT(dropped.detail, HasSubstr("no answer to a ping within 50 ms"));
  // A ping after one interval of silence, the drop one unanswered interval later (two
  // in all, give or take the moment the connected state was recorded).
  const auto alive = dropped.at - record.states.front().at;
  EXPECT_GE(alive, config.ping_interval * 3 / 2);
  EXPECT_LT(alive, milliseconds(2000));
}

TEST_F(UpstreamClientTest, KeepsAQuietConnectionWhoseGatewayAnswersPings) {
  UpstreamConfig config = Config();
  // Long enough that a pong is not late on a busy machine (it must come within one).
  config.ping_interval = milliseconds(50);
  ASSERT_TRUE(Connect(config));
  // Ten ping intervals of silence from both sides.
  EXPECT_FALSE(harness_->WaitFor(
      [](const ClientRecord& r) { return r.Count(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED) > 0; },
      10 * config.ping_interval));
  server_.Send("still here");
  ASSERT_TRUE(harness_->WaitFor([](const ClientRecord& r) { return !r.frames.empty(); }));
}

TEST_F(UpstreamClientTest, FrameOverMaxFrameBytesReconnectsWithAClearDetail) {
  UpstreamConfig config = Config();
  config.max_frame_bytes = 1024;
  ASSERT_TRUE(Connect(config));
  server_.Send(std::string(1024, 'a'));
  server_.Send(std::string(1025, 'b'));
  ASSERT_TRUE(harness_->WaitForState(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED));
  ASSERT_TRUE(harness_->WaitForConnected(2));

  const ClientRecord record = harness_->record();
  ASSERT_EQ(record.frames.size(), 1u);
  EXPECT_EQ(record.frames[0].first.size(), 1024u);
  EXPECT_EQ(record.Only(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED).front().detail,
            "gateway frame larger than max_frame_bytes (1024)");
}

TEST_F(UpstreamClientTest, StopSendsACloseFrameAndNothingFiresAfterIt) {
  ASSERT_TRUE(Connect(Config()));
  const std::size_t events_before_stop = harness_->record().events.size();

  EXPECT_EQ(harness_->StopAndWait(), 1);
  ASSERT_TRUE(server_.WaitFor([](const ServerRecord& r) { return !r.close_codes.empty(); }, kWait));
  EXPECT_THAT(server_.record().close_codes, ElementsAre(1000));
  EXPECT_FALSE(harness_->OnIo([&] { return harness_->client().connected(); }));
  EXPECT_FALSE(harness_->Write("after stop", 1));
  EXPECT_EQ(harness_->record().events.size(), events_before_stop);
  EXPECT_EQ(harness_->StopAndWait(), 1);  // again: done still runs, once
}

TEST_F(UpstreamClientTest, StopIsBoundedWhenTheGatewayStopsReading) {
  ASSERT_TRUE(Connect(Config()));  // close_timeout 500 ms, ping_interval 10 s
  server_.Stall();
  // A write the gateway never takes in holds the socket: the close frame cannot follow it.
  const auto megabyte = std::make_shared<const std::string>(1 << 20, 'x');
  harness_->OnIo([&] {
    for (uint64_t token = 1; token <= 48; ++token) {
      EXPECT_TRUE(harness_->client().Write(megabyte, token).ok());
    }
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(harness_->StopAndWait(), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
}

TEST_F(UpstreamClientTest, StopIsSafeBeforeStart) {
  EXPECT_EQ(NewClient(Config()).StopAndWait(), 1);
  EXPECT_TRUE(harness_->record().events.empty());
}

TEST_F(UpstreamClientTest, StopWhileWaitingToReconnectCancelsTheRetry) {
  UpstreamConfig config = Config();
  config.backoff_initial = milliseconds(100);
  config.backoff_max = milliseconds(100);
  ASSERT_TRUE(Connect(config));
  server_.StopListening();
  server_.DropConnection();
  ASSERT_TRUE(harness_->WaitForState(wxbridge::v1::UPSTREAM_STATE_RECONNECTING));
  EXPECT_EQ(harness_->StopAndWait(), 1);
  const std::size_t events_after_stop = harness_->record().events.size();
  // Past the 100 ms backoff: the cancelled retry must not connect or report.
  server_.StartListening();
  EXPECT_FALSE(
      harness_->WaitFor([&](const ClientRecord& r) { return r.events.size() > events_after_stop; },
                        milliseconds(300)));
  EXPECT_EQ(server_.record().handshakes, 1);
}

// Far more than the loopback socket buffers hold while nobody reads: a write stays in
// flight. Returns how many frames were queued.
constexpr uint64_t kStalledFrames = 48;
void QueueMegabytes(ClientHarness& harness) {
  const auto megabyte = std::make_shared<const std::string>(1 << 20, 'x');
  harness.OnIo([&] {
    for (uint64_t token = 1; token <= kStalledFrames; ++token) {
      EXPECT_TRUE(harness.client().Write(megabyte, token).ok());
    }
  });
}

// At a drop, the frame being written may or may not have reached the gateway: its owner
// decides whether it goes again; the frames behind it stay queued for the next connection.
class UpstreamClientDropTest : public UpstreamClientTest,
                               public ::testing::WithParamInterface<bool> {};

TEST_P(UpstreamClientDropTest, TheFrameBeingWrittenIsOfferedForResendAndTheRestStayQueued) {
  const bool resend = GetParam();
  ASSERT_TRUE(Connect(Config()));
  harness_->set_resend_interrupted(resend);
  server_.Stall();
  QueueMegabytes(*harness_);
  server_.DropConnection();
  ASSERT_TRUE(harness_->WaitForState(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED));

  const ClientRecord record = harness_->record();
  for (std::size_t i = 0; i < record.written.size(); ++i) EXPECT_EQ(record.written[i], i + 1);
  ASSERT_EQ(record.interrupted.size(), 1u);
  EXPECT_EQ(record.interrupted[0], record.written.size() + 1);
  // Decided before the state change, so the owner still knows the call.
  const auto disconnected =
      std::find(record.events.begin(), record.events.end(), "state UPSTREAM_STATE_DISCONNECTED");
  EXPECT_EQ(std::find(disconnected, record.events.end(),
                      "interrupted " + std::to_string(record.interrupted[0])),
            record.events.end());
  const std::size_t left = kStalledFrames - record.written.size() - (resend ? 0 : 1);
  EXPECT_EQ(harness_->OnIo([&] { return harness_->client().queued(); }), left);
  EXPECT_EQ(harness_->OnIo([&] { return harness_->client().queued_bytes(); }), left << 20);
}

INSTANTIATE_TEST_SUITE_P(ResendOrNot, UpstreamClientDropTest, ::testing::Bool());

TEST_F(UpstreamClientTest, AGatewayThatStopsReadingIsDroppedAfterTheWriteTimeout) {
  UpstreamConfig config = Config();
  config.write_timeout = milliseconds(200);
  ASSERT_TRUE(Connect(config));  // ping_interval 10 s: only the write can tell
  server_.Stall();
  QueueMegabytes(*harness_);
  ASSERT_TRUE(harness_->WaitForState(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED));
  const auto dropped = harness_->record().Only(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED);
  ASSERT_FALSE(dropped.empty());
  EXPECT_THAT(dropped[0].detail, HasSubstr("--write_timeout"));
}

TEST_F(UpstreamClientTest, AFullQueueRefusesAFrameAndKeepsTheOthers) {
  UpstreamConfig config = Config();
  config.max_queue_bytes = 3 << 20;
  NewClient(config);  // not started: nothing leaves the queue
  const auto megabyte = std::make_shared<const std::string>(1 << 20, 'x');
  const absl::Status fourth = harness_->OnIo([&] {
    for (uint64_t token = 1; token <= 3; ++token) {
      EXPECT_TRUE(harness_->client().Write(megabyte, token).ok());
    }
    return harness_->client().Write(megabyte, 4);
  });
  EXPECT_EQ(fourth.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(fourth.message()), HasSubstr("--max_queue_bytes"));
  EXPECT_EQ(harness_->OnIo([&] { return harness_->client().queued(); }), 3u);
  // A withdrawn frame makes room.
  EXPECT_TRUE(harness_->OnIo([&] {
    harness_->client().Withdraw(2);
    return harness_->client().Write(megabyte, 4).ok();
  }));
}

TEST_F(UpstreamClientTest, InvalidUrlIsReportedAndNotRetried) {
  ClientHarness& harness = NewClient(ConfigFor("http://user:secret@127.0.0.1:1/ws"));
  harness.Start();
  ASSERT_TRUE(harness.WaitForState(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED));
  const ClientRecord record = harness.record();
  ASSERT_EQ(record.states.size(), 1u);
  EXPECT_THAT(record.states[0].detail, HasSubstr("ws:// or wss://"));
  EXPECT_THAT(record.states[0].detail, ::testing::Not(HasSubstr("secret")));
}

TEST_F(UpstreamClientTest, DestroyingWithoutStopClosesTheSocketAtOnce) {
  ASSERT_TRUE(Connect(Config()));
  const std::size_t events_before = harness_->record().events.size();
  harness_->Destroy();
  ASSERT_TRUE(server_.WaitFor([](const ServerRecord& r) { return r.sessions_ended == 1; }, kWait));
  EXPECT_TRUE(server_.record().close_codes.empty());
  EXPECT_EQ(harness_->record().events.size(), events_before);
}

class UpstreamClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tls_ = wxbridge::testing::MakeSelfSignedCert(::testing::TempDir());
    if (!tls_) GTEST_SKIP() << "the openssl CLI could not make a test certificate";
  }
  void TearDown() override {
    if (tls_) std::filesystem::remove_all(std::filesystem::path(tls_->cert_path).parent_path());
  }
  std::optional<TlsFiles> tls_;
};

TEST_F(UpstreamClientTlsTest, ConnectsOverWssWithoutVerificationAndCarriesFrames) {
  WsTestServer server(tls_);
  UpstreamConfig config = ConfigFor(server.url());
  config.tls_verify_peer = false;
  ClientHarness harness(config);
  harness.set_on_connected([](UpstreamClient& client) {
    EXPECT_TRUE(client.Write(std::make_shared<const std::string>("over tls"), 7).ok());
  });
  harness.Start();
  ASSERT_TRUE(harness.WaitForConnected());
  ASSERT_TRUE(server.WaitFor([](const ServerRecord& r) { return !r.frames.empty(); }, kWait));
  EXPECT_THAT(server.record().frames, ElementsAre("over tls"));
  server.Send("back over tls");
  ASSERT_TRUE(harness.WaitFor([](const ClientRecord& r) { return !r.frames.empty(); }));
  EXPECT_EQ(harness.record().frames[0].first, "back over tls");
  EXPECT_EQ(harness.StopAndWait(), 1);
  ASSERT_TRUE(server.WaitFor([](const ServerRecord& r) { return !r.close_codes.empty(); }, kWait));
}

TEST_F(UpstreamClientTlsTest, RefusesASelfSignedCertificateWhenVerifying) {
  WsTestServer server(tls_);
  UpstreamConfig config = ConfigFor(server.url());
  config.tls_verify_peer = true;
  ClientHarness harness(config);
  harness.Start();
  ASSERT_TRUE(harness.WaitForState(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED));
  const ClientRecord record = harness.record();
  EXPECT_EQ(record.Count(wxbridge::v1::UPSTREAM_STATE_CONNECTED), 0);
  EXPECT_THAT(record.states.front().detail, HasSubstr("TLS handshake with " + server.url()));
  EXPECT_THAT(record.states.front().detail, HasSubstr("certificate verify failed"));
}

// A gateway whose TCP port accepts (the kernel's backlog) but never answers the WebSocket
// handshake: the drop says it timed out, with no HTTP status it never received.
TEST(UpstreamClientHandshakeTest, AHandshakeThatTimesOutReportsNoHttpStatus) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  UpstreamConfig config =
      ConfigFor("ws://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/ws");
  config.connect_timeout = milliseconds(200);
  ClientHarness harness(config);
  harness.Start();
  ASSERT_TRUE(harness.WaitForState(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED));
  const std::string detail = harness.record().states.front().detail;
  EXPECT_THAT(detail, HasSubstr("timed out after 200 ms"));
  EXPECT_THAT(detail, Not(HasSubstr("HTTP")));
}

// A gateway behind a private CA (tests/tls/make_test_certs.sh): --tls_ca_file makes its
// certificate verify, the system store does not, and neither does an unrelated CA.
class UpstreamClientTlsCaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("upstream_tls_ca." + std::to_string(getpid()));
    const wxbridge::testing::ProcessResult made = wxbridge::testing::RunProcess(
        {"/bin/bash", WXBRIDGE_MAKE_TEST_CERTS, dir_.string()}, milliseconds(60000));
    if (made.exit_code != 0) GTEST_SKIP() << "make_test_certs.sh failed: " << made.err;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string File(const char* name) const { return (dir_ / name).string(); }
  TlsFiles ServerFiles() const { return TlsFiles{File("server.pem"), File("server.key")}; }

  std::filesystem::path dir_;
};

TEST_F(UpstreamClientTlsCaTest, VerifiesAgainstTheCaFileAndCarriesFrames) {
  WsTestServer server(ServerFiles());
  UpstreamConfig config = ConfigFor(server.url());
  config.tls_ca_file = File("ca.pem");
  ClientHarness harness(config);
  harness.set_on_connected([](UpstreamClient& client) {
    EXPECT_TRUE(client.Write(std::make_shared<const std::string>("verified"), 1).ok());
  });
  harness.Start();
  ASSERT_TRUE(harness.WaitForConnected());
  ASSERT_TRUE(server.WaitFor([](const ServerRecord& r) { return !r.frames.empty(); }, kWait));
  EXPECT_THAT(server.record().frames, ElementsAre("verified"));
  EXPECT_EQ(harness.StopAndWait(), 1);
}

TEST_F(UpstreamClientTlsCaTest, WithoutTheCaFileTheSystemStoreRefusesThePrivateCa) {
  WsTestServer server(ServerFiles());
  ClientHarness harness(ConfigFor(server.url()));
  harness.Start();
  ASSERT_TRUE(harness.WaitForState(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED));
  const ClientRecord record = harness.record();
  EXPECT_EQ(record.Count(wxbridge::v1::UPSTREAM_STATE_CONNECTED), 0);
  EXPECT_EQ(server.record().handshakes, 0);
  const std::string detail = record.states.front().detail;
  EXPECT_THAT(detail, HasSubstr("TLS handshake with " + server.url()));
  EXPECT_THAT(detail, HasSubstr("certificate verify failed"));
  EXPECT_THAT(detail, HasSubstr("unable to get local issuer certificate"));
  EXPECT_THAT(detail, HasSubstr("system CAs"));
}

TEST_F(UpstreamClientTlsCaTest, ACaFileOfAnotherCaReplacesTheSystemStoreAndRefuses) {
  WsTestServer server(ServerFiles());
  UpstreamConfig config = ConfigFor(server.url());
  config.tls_ca_file = File("stranger_ca.pem");
  ClientHarness harness(config);
  harness.Start();
  ASSERT_TRUE(harness.WaitForState(wxbridge::v1::UPSTREAM_STATE_DISCONNECTED));
  EXPECT_EQ(harness.record().Count(wxbridge::v1::UPSTREAM_STATE_CONNECTED), 0);
  EXPECT_THAT(harness.record().states.front().detail, HasSubstr("--tls_ca_file"));
}

TEST_F(UpstreamClientTlsCaTest, CheckTlsCaFileAcceptsAPemBundleOnly) {
  EXPECT_TRUE(CheckTlsCaFile(File("ca.pem")).ok());
  const absl::Status missing = CheckTlsCaFile(File("missing.pem"));
  EXPECT_THAT(std::string(missing.message()),
              ::testing::AllOf(HasSubstr("cannot read"), HasSubstr("missing.pem"),
                               HasSubstr("No such file")));
  // A key is PEM, but no certificate.
  EXPECT_THAT(std::string(CheckTlsCaFile(File("ca.key")).message()),
              HasSubstr("no usable PEM CA certificate"));
  const std::string garbage = File("garbage.pem");
  std::FILE* file = std::fopen(garbage.c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fputs("not a certificate\n", file);
  std::fclose(file);
  EXPECT_THAT(std::string(CheckTlsCaFile(garbage).message()),
              HasSubstr("no usable PEM CA certificate"));
}

}  // namespace
}  // namespace wxbridge::upstream
