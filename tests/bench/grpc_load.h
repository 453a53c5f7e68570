// The gRPC side of the bench: SendText calls with the async callback API (any
// number in flight on one channel) and the account login every bridge needs
// before it can send.
#ifndef WXBRIDGE_TESTS_BENCH_GRPC_LOAD_H_
#define WXBRIDGE_TESTS_BENCH_GRPC_LOAD_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "tests/bench/closed_loop.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::bench {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string &target);

// Waits until the channel is connected (or the timeout passes).
bool WaitForChannel(grpc::Channel *channel, std::chrono::milliseconds timeout);

// One SendText per call, the same request every time (built once).
class SendTextCaller {
 public:
  SendTextCaller(std::shared_ptr<grpc::Channel> channel, wxbridge::v1::SendTextRequest request,
                 std::chrono::milliseconds deadline);
  void Call(CallDone done);
  AsyncCall AsAsyncCall() {
    return [this](CallDone done) { Call(std::move(done)); };
  }

 private:
  std::unique_ptr<wxbridge::v1::BridgeService::Stub> stub_;
  const wxbridge::v1::SendTextRequest request_;
  const std::chrono::milliseconds deadline_;
};

// Polls GetStatus until the service reports its upstream CONNECTED.
absl::Status WaitUpstreamConnected(const std::shared_ptr<grpc::Channel> &channel,
                                   std::chrono::milliseconds timeout);

// Logs `account` in through the service at `channel` and waits (on a Subscribe
// stream) until it reports LOGGED_IN.
absl::Status LogIn(const std::shared_ptr<grpc::Channel> &channel, const std::string &account,
                   std::chrono::milliseconds timeout);

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_GRPC_LOAD_H_
