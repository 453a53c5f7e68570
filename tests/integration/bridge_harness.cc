#include "tests/integration/bridge_harness.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/impl/client_unary_call.h"
#include "nlohmann/json.hpp"
#include "tests/support/poll_until.h"

namespace wxbridge::testing {

std::unique_ptr<grpc::ClientContext> Context(milliseconds timeout, const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

EventStream::EventStream(v1::BridgeService::Stub* stub, v1::SubscribeRequest request,
                         const std::string& token) {
  if (!token.empty()) context_.AddMetadata("authorization", "Bearer " + token);
  reader_ = stub->Subscribe(&context_, request);
  thread_ = std::thread([this] { ReadLoop(); });
}

EventStream::~EventStream() {
  Cancel();
  if (thread_.joinable()) thread_.join();
}

void EventStream::Cancel() { context_.TryCancel(); }

void EventStream::ReadLoop() {
  v1::SubscribeResponse response;
  while (reader_->Read(&response)) {
    std::lock_guard<std::mutex> lock(mutex_);
    received_.push_back(response);
    changed_.notify_all();
  }
  grpc::Status status = reader_->Finish();
  std::lock_guard<std::mutex> lock(mutex_);
  end_status_ = status;
  changed_.notify_all();
}

std::optional<v1::SubscribeResponse> EventStream::WaitFor(const Predicate& predicate,
                                                          milliseconds timeout) {
  auto matches = WaitForCount(predicate, 1, timeout);
  if (matches.empty()) return std::nullopt;
  return matches.front();
}

std::optional<v1::Event> EventStream::WaitForEvent(
    const std::function<bool(const v1::Event&)>& predicate, milliseconds timeout) {
  auto found =
      WaitFor([&](const v1::SubscribeResponse& r) { return r.has_event() && predicate(r.event()); },
              timeout);
  if (!found) return std::nullopt;
  return found->event();
}

std::vector<v1::SubscribeResponse> EventStream::WaitForCount(const Predicate& predicate,
                                                             std::size_t n, milliseconds timeout) {
  std::vector<v1::SubscribeResponse> matches;
  std::size_t scanned = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, timeout, [&] {
    for (; scanned < received_.size(); ++scanned) {
      if (predicate(received_[scanned])) matches.push_back(received_[scanned]);
    }
    return matches.size() >= n || end_status_.has_value();
  });
  // The stream may have ended after delivering what we wanted.
  for (; scanned < received_.size(); ++scanned) {
    if (predicate(received_[scanned])) matches.push_back(received_[scanned]);
  }
  if (matches.size() < n) return {};
  return matches;
}

std::vector<v1::SubscribeResponse> EventStream::Received() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return received_;
}

std::optional<grpc::Status> EventStream::WaitForEnd(milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return end_status_.has_value(); });
  return end_status_;
}

BridgeHarness::BridgeHarness(HarnessOptions options) : token_(options.token) {
  sim_config_.ack_mode = options.ack_mode;
  sim_config_.scan_delay = milliseconds(5);
  sim_config_.step_delay = milliseconds(2);
  sim_config_.world_size = 3;
  if (options.configure_simulator) options.configure_simulator(sim_config_);
  sim_ = std::make_unique<sim::Simulator>(sim_config_);
  absl::Status started = sim_->Start();
  EXPECT_TRUE(started.ok()) << started;
  sim_config_.port = sim_->port();  // a restart reuses it

  app::BridgeConfig config;
  config.grpc.listen = "127.0.0.1:0";
  config.upstream.url = sim_->url();
  config.calls.auth_key = sim_config_.auth_key;
  config.upstream.backoff_initial = milliseconds(20);
  config.upstream.backoff_max = milliseconds(200);
  config.upstream.ping_interval = milliseconds(1000);
  config.grpc.default_call_timeout = milliseconds(5000);
  config.storage.data_dir = "";  // memory: test binaries run side by side
  // The simulator stands in for the gateway: no pacing unless a test turns it on.
  config.pacing.mode = pacing::PaceMode::kOff;
  if (options.configure_bridge) options.configure_bridge(config);
  bridge_ = std::make_unique<app::BridgeServer>(config);
  absl::Status bridge_started = bridge_->Start();
  EXPECT_TRUE(bridge_started.ok()) << bridge_started;

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  channel_ =
      grpc::CreateCustomChannel(target(),
                                options.channel_credentials ? options.channel_credentials
                                                            : grpc::InsecureChannelCredentials(),
                                args);
  stub_ = v1::BridgeService::NewStub(channel_);
}

BridgeHarness::~BridgeHarness() {
  bridge_->Shutdown();
  if (sim_) sim_->Stop();
}

std::string BridgeHarness::target() const { return absl::StrCat("127.0.0.1:", bridge_->port()); }

void BridgeHarness::StopSimulator() {
  if (sim_) sim_->Stop();
}

void BridgeHarness::RestartSimulator() {
  StopSimulator();
  sim_.reset();
  sim_ = std::make_unique<sim::Simulator>(sim_config_);
  absl::Status started = sim_->Start();
  EXPECT_TRUE(started.ok()) << started;
}

bool BridgeHarness::WaitConnected(milliseconds timeout) {
  // Watch the stream's bridge-state events rather than polling GetStatus.
  v1::SubscribeRequest request;
  request.set_after_seq(0);
  request.add_kinds(v1::EVENT_KIND_BRIDGE_STATE);
  EventStream stream(stub_.get(), request, token_);
  auto hello = stream.WaitFor(IsHello, timeout);
  if (!hello) return false;
  if (hello->hello().upstream_state() == v1::UPSTREAM_STATE_CONNECTED) return true;
  const uint64_t after = hello->hello().head_seq();
  return stream
      .WaitForEvent(
          [after](const v1::Event& e) {
            return e.seq() > after && e.bridge_state().state() == v1::UPSTREAM_STATE_CONNECTED;
          },
          timeout)
      .has_value();
}

std::unique_ptr<EventStream> BridgeHarness::Subscribe(v1::SubscribeRequest request) {
  auto stream = std::make_unique<EventStream>(stub_.get(), std::move(request), token_);
  // Events are only guaranteed from the hello on.
  EXPECT_TRUE(stream->WaitFor(IsHello)) << "no hello on a new Subscribe stream";
  return stream;
}

::testing::AssertionResult BridgeHarness::LogIn(const std::string& account, EventStream& stream) {
  v1::LoginRequest request;
  request.set_account(account);
  v1::LoginResponse response;
  grpc::Status status = stub_->Login(Context(kWait, token_).get(), request, &response);
  if (!status.ok()) {
    return ::testing::AssertionFailure()
           << "Login(" << account << "): " << status.error_code() << " " << status.error_message();
  }
  if (!stream.WaitForEvent([&](const v1::Event& e) {
        return IsLoginStatus(e, account, v1::LOGIN_STATUS_LOGGED_IN);
      })) {
    return ::testing::AssertionFailure() << account << " never reached LOGGED_IN";
  }
  if (!stream.WaitForEvent([&](const v1::Event& e) {
        return e.account() == account && e.has_contact() &&
               e.contact().kind() == v1::CONTACT_KIND_SELF;
      })) {
    return ::testing::AssertionFailure() << account << ": no self contact after login";
  }
  return ::testing::AssertionSuccess();
}

grpc::Status BridgeHarness::SendText(const std::string& account, const std::string& to_user_name,
                                     const std::string& content, milliseconds timeout) {
  v1::SendTextRequest request;
  request.set_account(account);
  request.set_to_user_name(to_user_name);
  request.set_content(content);
  v1::SendTextResponse response;
  return stub_->SendText(Context(timeout, token_).get(), request, &response);
}

v1::GetStatusResponse BridgeHarness::GetStatus() {
  v1::GetStatusResponse response;
  grpc::Status status =
      stub_->GetStatus(Context(kWait, token_).get(), v1::GetStatusRequest(), &response);
  EXPECT_TRUE(status.ok()) << "GetStatus: " << status.error_message();
  return response;
}

std::optional<v1::GetStatusResponse> BridgeHarness::WaitForStatus(
    const std::function<bool(const v1::GetStatusResponse&)>& predicate, milliseconds timeout) {
  std::optional<v1::GetStatusResponse> matched;
  PollUntil(
      [&] {
        v1::GetStatusResponse response = GetStatus();
        if (predicate(response)) matched = std::move(response);
        return matched.has_value();
      },
      timeout);
  return matched;
}

std::string TextFrame(const std::string& account, const std::string& text, int64_t msg_id) {
  const nlohmann::json frame = {{"MsgId", msg_id},
                                {"NewMsgId", 7000000000000000000LL + msg_id},
                                {"MsgType", 1},
                                {"FromUserName", "wxid_injectedsender"},
                                {"ToUserName", sim::Simulator::WxIdFor(account)},
                                {"Content", text},
                                {"CreateTime", 1700000000},
                                {"Status", 3},
                                {"ImgStatus", 1},
                                {"MsgSource", "<msgsource />"},
                                {"PushContent", absl::StrCat("sender : ", text)},
                                {"account", account}};
  return frame.dump();
}

bool IsLoginStatus(const v1::Event& e, const std::string& account, v1::LoginStatus status) {
  return e.account() == account && e.has_login_status() && e.login_status().status() == status;
}

bool IsText(const v1::Event& e, const std::string& account, const std::string& text) {
  return e.account() == account && e.has_text() && e.text().text() == text;
}

bool IsBridgeState(const v1::Event& e, v1::UpstreamState state) {
  return e.has_bridge_state() && e.bridge_state().state() == state;
}

bool IsHello(const v1::SubscribeResponse& r) { return r.has_hello(); }

// The build generates the health messages only, so the call goes through gRPC's unary
// helper rather than a stub.
std::optional<HealthStatus> CheckHealth(grpc::Channel* channel) {
  static const grpc::internal::RpcMethod kCheck("/grpc.health.v1.Health/Check",
                                                grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("wxbridge.v1.BridgeService");
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status =
      grpc::internal::BlockingUnaryCall(channel, kCheck, Context().get(), request, &response);
  if (!status.ok()) return std::nullopt;
  return response.status();
}
bool IsHeartbeat(const v1::SubscribeResponse& r) { return r.has_heartbeat(); }

}  // namespace wxbridge::testing
