#include "tests/bench/grpc_load.h"

#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"

namespace wxbridge::bench {
namespace {

namespace v1 = ::wxbridge::v1;

std::chrono::system_clock::time_point DeadlineIn(std::chrono::milliseconds timeout) {
  return std::chrono::system_clock::now() + timeout;
}

// Per-call state: gRPC needs a fresh context and response for every call.
struct PendingSendText {
  grpc::ClientContext context;
  v1::SendTextResponse response;
  CallDone done;
};

}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const std::string &target) {
  grpc::ChannelArguments args;
  // A private subchannel per channel: separate channels mean separate
  // connections.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

bool WaitForChannel(grpc::Channel *channel, std::chrono::milliseconds timeout) {
  return channel->WaitForConnected(DeadlineIn(timeout));
}

SendTextCaller::SendTextCaller(std::shared_ptr<grpc::Channel> channel, v1::SendTextRequest request,
                               std::chrono::milliseconds deadline)
    : stub_(v1::BridgeService::NewStub(channel)),
      request_(std::move(request)),
      deadline_(deadline) {}

void SendTextCaller::Call(CallDone done) {
  auto *pending = new PendingSendText;
  pending->done = std::move(done);
  pending->context.set_deadline(DeadlineIn(deadline_));
  stub_->async()->SendText(&pending->context, &request_, &pending->response,
                           [pending](grpc::Status status) {
                             CallDone call_done = std::move(pending->done);
                             delete pending;
                             call_done(status.ok());
                           });
}

absl::Status WaitUpstreamConnected(const std::shared_ptr<grpc::Channel> &channel,
                                   std::chrono::milliseconds timeout) {
  auto stub = v1::BridgeService::NewStub(channel);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::chrono::seconds(2)));
    v1::GetStatusResponse status;
    if (stub->GetStatus(&context, v1::GetStatusRequest(), &status).ok() &&
        status.upstream_state() == v1::UPSTREAM_STATE_CONNECTED) {
      return absl::OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::UnavailableError("the bridge never reported its upstream CONNECTED");
}

absl::Status LogIn(const std::shared_ptr<grpc::Channel> &channel, const std::string &account,
                   std::chrono::milliseconds timeout) {
  auto stub = v1::BridgeService::NewStub(channel);
  grpc::ClientContext stream_context;
  stream_context.set_deadline(DeadlineIn(timeout));
  v1::SubscribeRequest subscribe;
  subscribe.add_accounts(account);
  subscribe.add_kinds(v1::EVENT_KIND_LOGIN_STATUS);
  auto reader = stub->Subscribe(&stream_context, subscribe);
  v1::SubscribeResponse message;
  if (!reader->Read(&message) || !message.has_hello()) {
    return absl::UnavailableError("Subscribe gave no hello");
  }
  grpc::ClientContext login_context;
  login_context.set_deadline(DeadlineIn(timeout));
  v1::LoginRequest login;
  login.set_account(account);
  v1::LoginResponse login_response;
  grpc::Status status = stub->Login(&login_context, login, &login_response);
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("Login: ", status.error_message()));
  }
  while (reader->Read(&message)) {
    if (message.has_event() &&
        message.event().login_status().status() == v1::LOGIN_STATUS_LOGGED_IN) {
      stream_context.TryCancel();
      reader->Finish();
      return absl::OkStatus();
    }
  }
  return absl::DeadlineExceededError(absl::StrCat(account, " never reached LOGGED_IN"));
}

}  // namespace wxbridge::bench
