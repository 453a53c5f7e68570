// A unary call in flight on gRPC's callback API, for tests that act while it runs.
#ifndef WXBRIDGE_TESTS_INTEGRATION_PENDING_CALL_H_
#define WXBRIDGE_TESTS_INTEGRATION_PENDING_CALL_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "grpcpp/grpcpp.h"
#include "tests/integration/bridge_harness.h"

namespace wxbridge::testing {

// One unary call in flight on the callback API; the test waits for its end.
template <typename Request, typename Response>
class PendingCall {
 public:
  // Starts the call: stub.async()->Method(context, request, response, on_done).
  using Start = std::function<void(grpc::ClientContext*, const Request*, Response*,
                                   std::function<void(grpc::Status)>)>;

  PendingCall(const Start& start, Request request, milliseconds timeout)
      : context_(Context(timeout)), request_(std::move(request)) {
    start(context_.get(), &request_, &response_, [this](grpc::Status status) {
      std::lock_guard<std::mutex> lock(mutex_);
      status_ = std::move(status);
      done_ = true;
      ended_.notify_all();
    });
  }
  // Cancels and waits for the end: gRPC's callback must not outlive the call's state.
  ~PendingCall() {
    context_->TryCancel();
    std::unique_lock<std::mutex> lock(mutex_);
    ended_.wait(lock, [this] { return done_; });  // a cancelled call ends promptly
  }

  void Cancel() { context_->TryCancel(); }

  // The call's status once it has ended, or nullopt when it is still running at `timeout`.
  std::optional<grpc::Status> Wait(milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!ended_.wait_for(lock, timeout, [this] { return done_; })) return std::nullopt;
    return status_;
  }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  Request request_;
  Response response_;
  std::mutex mutex_;
  std::condition_variable ended_;
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_INTEGRATION_PENDING_CALL_H_
