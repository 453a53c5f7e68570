// Every input is bounded, and a refusal is clear and cheap: hostile requests sent over
// real sockets are answered with the stated status, naming the field (or flag) and the
// limit, nothing reaches the gateway, and other calls are still served.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"

namespace wxbridge::testing {
namespace {

using sim::Simulator;
using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kAccount = "alice";
const std::string kPeer = Simulator::WxIdFor("bob");

// A frame limit small enough to reach with a modest request, and a text limit below it.
constexpr std::size_t kSmallFrameLimit = 64 << 10;
constexpr std::size_t kSmallTextLimit = 16 << 10;

HarnessOptions SmallFrames() {
  HarnessOptions options;
  options.configure_bridge = [](app::BridgeConfig& c) {
    c.upstream.max_frame_bytes = kSmallFrameLimit;
    c.limits.max_text_bytes = kSmallTextLimit;
  };
  return options;
}

// A flat object with `keys` keys: {"k0":0,"k1":1,…}.
std::string ObjectWithKeys(std::size_t keys) {
  std::string json = "{";
  for (std::size_t i = 0; i < keys; ++i) {
    absl::StrAppend(&json, i == 0 ? "" : ",", "\"k", i, "\":", i);
  }
  return json + "}";
}

void ExpectRefused(const grpc::Status& status, grpc::StatusCode code, const std::string& what,
                   const std::string& limit) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  EXPECT_THAT(status.error_message(), AllOf(HasSubstr(what), HasSubstr(limit)));
}

// Other calls are still served, and the gateway never saw a frame holding `marker`.
void ExpectStillServedAndNothingSent(BridgeHarness& harness, const std::string& marker) {
  v1::GetStatusResponse status;
  EXPECT_TRUE(harness.stub().GetStatus(Context().get(), {}, &status).ok());
  for (const std::string& frame : harness.sim().ReceivedFrames()) {
    EXPECT_EQ(frame.find(marker), std::string::npos) << "a refused request reached the gateway";
  }
}

// One SendRaw on the callback API: `meanwhile` runs while it is in flight; its status, or
// nullopt when it was not answered within kWait.
std::optional<grpc::Status> SendRawAnswered(BridgeHarness& harness,
                                            const v1::SendRawRequest& request,
                                            milliseconds deadline,
                                            const std::function<void()>& meanwhile) {
  v1::SendRawResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  std::mutex mutex;
  std::condition_variable ended;
  std::optional<grpc::Status> status;
  harness.stub().async()->SendRaw(&context, &request, &response, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mutex);
    status = std::move(s);
    ended.notify_all();
  });
  meanwhile();
  std::unique_lock<std::mutex> lock(mutex);
  if (!ended.wait_for(lock, kWait, [&] { return status.has_value(); })) {
    context.TryCancel();
    ended.wait(lock, [&] { return status.has_value(); });
    return std::nullopt;
  }
  return status;
}

TEST(BridgeLimitsTest, SendRawWithAHundredThousandKeysIsRefusedWhileOtherCallsAreServed) {
  BridgeHarness harness;
  ASSERT_TRUE(harness.WaitConnected());
  v1::SendRawRequest request;
  request.set_code(110);
  request.set_data_json(ObjectWithKeys(100000));
  const std::optional<grpc::Status> status = SendRawAnswered(harness, request, kWait, [&] {
    v1::GetStatusResponse response;
    EXPECT_TRUE(harness.stub().GetStatus(Context().get(), {}, &response).ok());
  });
  ASSERT_TRUE(status) << "SendRaw was not answered";
  ExpectRefused(*status, grpc::StatusCode::INVALID_ARGUMENT, "--max_data_json_keys", "10000");
  ExpectStillServedAndNothingSent(harness, "\"k99999\"");
}

TEST(BridgeLimitsTest, ADeadlineAYearAwayIsClampedToMaxCallTimeout) {
  HarnessOptions options;
  options.ack_mode = sim::AckMode::kNone;  // an unknown code is never answered
  options.configure_bridge = [](app::BridgeConfig& c) {
    c.grpc.default_call_timeout = milliseconds(200);
    c.grpc.max_call_timeout = milliseconds(1000);
  };
  BridgeHarness harness(options);
  ASSERT_TRUE(harness.WaitConnected());
  std::unique_ptr<EventStream> stream = harness.Subscribe();
  ASSERT_TRUE(harness.LogIn(kAccount, *stream));
  v1::SendRawRequest request;
  request.set_code(110);
  request.set_data_json(R"({"account":"alice"})");
  const std::optional<grpc::Status> status =
      SendRawAnswered(harness, request, std::chrono::hours(24 * 300), [] {});
  ASSERT_TRUE(status) << "the call kept the client's deadline, months away";
  EXPECT_EQ(status->error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status->error_message();
  ExpectStillServedAndNothingSent(harness, "no-such-marker");
}

TEST(BridgeLimitsTest, SendRawRefusesTheReBindCodeAndCodesBelowOne) {
  BridgeHarness harness;
  ASSERT_TRUE(harness.WaitConnected());
  for (int code : {100, 0, -5}) {
    v1::SendRawRequest request;
    request.set_code(code);
    request.set_data_json(R"({"marker":"raw-code-refused"})");
    v1::SendRawResponse response;
    const grpc::Status status = harness.stub().SendRaw(Context().get(), request, &response);
    ExpectRefused(status, grpc::StatusCode::INVALID_ARGUMENT, "code",
                  code == 100 ? "re-bind" : "positive");
  }
  ExpectStillServedAndNothingSent(harness, "raw-code-refused");
}

TEST(BridgeLimitsTest, GetContactsWithTooManyIdsIsRefusedNamingTheLimit) {
  BridgeHarness harness;
  ASSERT_TRUE(harness.WaitConnected());
  v1::GetContactsRequest request;
  request.set_account(kAccount);
  for (int i = 0; i < 1001; ++i) request.add_wx_ids(absl::StrCat("wxid_many_", i));
  v1::GetContactsResponse response;
  const grpc::Status status = harness.stub().GetContacts(Context().get(), request, &response);
  ExpectRefused(status, grpc::StatusCode::INVALID_ARGUMENT, "wx_ids", "1000 (--max_wx_ids)");
  ExpectStillServedAndNothingSent(harness, "wxid_many_");
}

TEST(BridgeLimitsTest, ATextOverItsLimitIsRefusedNamingTheFieldAndTheLimit) {
  BridgeHarness harness(SmallFrames());
  ASSERT_TRUE(harness.WaitConnected());
  const std::string text(kSmallTextLimit + 1, 'x');
  const grpc::Status status = harness.SendText(kAccount, kPeer, text);
  ExpectRefused(status, grpc::StatusCode::INVALID_ARGUMENT, "content",
                absl::StrCat(kSmallTextLimit, " bytes (--max_text_bytes)"));
  ExpectStillServedAndNothingSent(harness, text);
}

TEST(BridgeLimitsTest, ATextWhoseEscapedFrameExceedsMaxFrameBytesIsRefusedAndNotSent) {
  BridgeHarness harness(SmallFrames());
  ASSERT_TRUE(harness.WaitConnected());
  // Within the text limit, but each control character becomes six bytes ("\u0001").
  const std::string text = "escape-marker" + std::string(kSmallTextLimit - 100, '\x01');
  const grpc::Status status = harness.SendText(kAccount, kPeer, text);
  ExpectRefused(status, grpc::StatusCode::RESOURCE_EXHAUSTED, "--max_frame_bytes",
                absl::StrCat(kSmallFrameLimit));
  ExpectStillServedAndNothingSent(harness, "escape-marker");
  EXPECT_GE(harness.GetStatus().counters().calls_failed(), 1u);
}

TEST(BridgeLimitsTest, SubscribeWithTooManyAccountsIsRefusedNamingTheLimit) {
  BridgeHarness harness;
  ASSERT_TRUE(harness.WaitConnected());
  v1::SubscribeRequest request;
  for (int i = 0; i < 1001; ++i) request.add_accounts(absl::StrCat("account_", i));
  EventStream stream(&harness.stub(), request);  // (harness.Subscribe expects a hello)
  const std::optional<grpc::Status> status = stream.WaitForEnd();
  ASSERT_TRUE(status) << "the stream was not ended";
  ExpectRefused(*status, grpc::StatusCode::INVALID_ARGUMENT, "accounts",
                "1000 (--max_subscribe_accounts)");
  // A stream within the limit is still served.
  v1::SubscribeRequest fine;
  fine.add_accounts(kAccount);
  std::unique_ptr<EventStream> served = harness.Subscribe(fine);
  EXPECT_TRUE(served->WaitFor(IsHello));
}

// `bytes` sent as the request of `method` ("/wxbridge.v1.BridgeService/SendText"), as a
// client with a broken encoder would.
grpc::Status CallWithRawBytes(BridgeHarness& harness, const std::string& method,
                              const std::string& bytes) {
  grpc::GenericStub stub(harness.channel());
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::unique_ptr<grpc::ClientContext> context = Context();
  std::mutex mutex;
  std::condition_variable ended;
  std::optional<grpc::Status> status;
  stub.UnaryCall(context.get(), method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   std::lock_guard<std::mutex> lock(mutex);
                   status = std::move(s);
                   ended.notify_all();
                 });
  std::unique_lock<std::mutex> lock(mutex);
  ended.wait(lock, [&] { return status.has_value(); });  // the context has a deadline
  return *status;
}

TEST(BridgeLimitsTest, ARequestProtobufCannotParseIsRefusedInvalidArgumentAndCounted) {
  BridgeHarness harness;
  ASSERT_TRUE(harness.WaitConnected());
  // Field 1 (account) holding invalid UTF-8: proto3 refuses it while parsing.
  const std::string invalid_utf8 = std::string("\x0a\x02\xff\xfe", 4);
  // Field 1 as a length running past the end of the message.
  const std::string truncated = std::string("\x0a\x7f", 2) + "unparseable-marker";
  const std::pair<std::string, std::string> requests[] = {
      {"SendText", invalid_utf8}, {"SendText", truncated},  {"GetContacts", invalid_utf8},
      {"GetContacts", truncated}, {"GetStatus", truncated},  // GetStatusRequest has no field 1
  };
  for (const auto& [method, bytes] : requests) {
    const grpc::Status status =
        CallWithRawBytes(harness, "/wxbridge.v1.BridgeService/" + method, bytes);
    ExpectRefused(status, grpc::StatusCode::INVALID_ARGUMENT, "not a valid",
                  "wxbridge.v1." + method + "Request");
  }
  EXPECT_EQ(harness.GetStatus().counters().requests_unparseable(), 5u);
  ExpectStillServedAndNothingSent(harness, "unparseable-marker");
}

// A channel with a connection of its own (channels to one target otherwise share one).
std::shared_ptr<grpc::Channel> OwnConnection(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

TEST(BridgeLimitsTest, StreamsBeyondMaxStreamsPerConnectionWaitWhileOtherConnectionsAreServed) {
  HarnessOptions options;
  options.configure_bridge = [](app::BridgeConfig& c) { c.grpc.max_streams_per_connection = 2; };
  BridgeHarness harness(options);
  ASSERT_TRUE(harness.WaitConnected());
  std::unique_ptr<v1::BridgeService::Stub> crowded =
      v1::BridgeService::NewStub(OwnConnection(harness.target()));
  std::vector<std::unique_ptr<EventStream>> streams;
  for (int i = 0; i < 2; ++i) {
    streams.push_back(std::make_unique<EventStream>(crowded.get(), v1::SubscribeRequest()));
    ASSERT_TRUE(streams.back()->WaitFor(IsHello));
  }
  // A third call on the crowded connection waits in the client...
  grpc::ClientContext short_wait;
  short_wait.set_deadline(std::chrono::system_clock::now() + milliseconds(300));
  v1::GetStatusResponse status;
  EXPECT_EQ(crowded->GetStatus(&short_wait, {}, &status).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // ...while another connection is served, and the bridge holds only the two streams.
  std::unique_ptr<v1::BridgeService::Stub> other =
      v1::BridgeService::NewStub(OwnConnection(harness.target()));
  ASSERT_TRUE(other->GetStatus(Context().get(), {}, &status).ok());
  EXPECT_EQ(status.counters().subscribers(), 2u);
  // A stream that ends makes room on the crowded connection.
  streams.front()->Cancel();
  EXPECT_TRUE(crowded->GetStatus(Context().get(), {}, &status).ok());
}

// A raw HTTP/2 client that sends `pings` PING frames back to back after the preface, and
// reads until the server's GOAWAY (its error code) or the connection's end (nullopt).
std::optional<uint32_t> FloodWithPings(uint16_t port, int pings) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval read_timeout{10, 0};  // a bound on each read, not a wait for anything
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof read_timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return std::nullopt;
  }
  std::string out = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  out += std::string("\0\0\0\x04\0\0\0\0\0", 9);  // empty SETTINGS
  for (int i = 0; i < pings; ++i) {
    out += std::string("\0\0\x08\x06\0\0\0\0\0", 9) + std::string(8, static_cast<char>(i));
  }
  std::optional<uint32_t> goaway;
  if (send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size())) {
    std::string in;
    char buffer[4096];
    for (ssize_t n; !goaway && (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) {
      in.append(buffer, static_cast<std::size_t>(n));
      while (in.size() >= 9) {
        const auto byte = [&in](std::size_t i) { return static_cast<uint8_t>(in[i]); };
        const std::size_t length = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        if (in.size() < 9 + length) break;
        if (byte(3) == 0x07 && length >= 8) {  // GOAWAY: last stream id, error code
          goaway = (uint32_t{byte(13)} << 24) | (byte(14) << 16) | (byte(15) << 8) | byte(16);
        }
        in.erase(0, 9 + length);
      }
    }
  }
  close(fd);
  return goaway;
}

TEST(BridgeLimitsTest, AClientFloodingKeepalivePingsIsSentAwayWhileOthersAreServed) {
  BridgeHarness harness;
  ASSERT_TRUE(harness.WaitConnected());
  constexpr uint32_t kEnhanceYourCalm = 0xb;
  EXPECT_EQ(FloodWithPings(static_cast<uint16_t>(harness.bridge().port()), 10), kEnhanceYourCalm)
      << "ten pings in a row were tolerated";
  ExpectStillServedAndNothingSent(harness, "no-such-marker");
}

}  // namespace
}  // namespace wxbridge::testing
