// The WebSocket ceiling: a direct client of the gateway (simulator) on ONE
// socket, the way the bridge talks to it, with any number of code-103 frames in
// flight. Each call writes one frame built by the bridge's own encoder (same
// size, same shape) and completes when the echo-mode reply carrying its cmdId
// arrives.
#ifndef WXBRIDGE_TESTS_BENCH_WS_LOAD_CLIENT_H_
#define WXBRIDGE_TESTS_BENCH_WS_LOAD_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "tests/bench/closed_loop.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::bench {

class WsLoadClient {
 public:
  // `url` is ws://host:port/path.
  WsLoadClient(std::string url, std::string auth_key);
  ~WsLoadClient();  // Closes the socket and joins the I/O thread.

  absl::Status Connect(std::chrono::milliseconds timeout);
  // Sends code 101 for `account` and waits for its status 7 (logged in).
  absl::Status LogIn(const std::string &account, std::chrono::milliseconds timeout);
  // From now on Call() sends `request` as a code-103 frame.
  absl::Status SetRequest(const wxbridge::v1::SendTextRequest &request);
  // Thread-safe. Fails the call (ok=false) if the socket is not open.
  void Call(CallDone done);
  AsyncCall AsAsyncCall() {
    return [this](CallDone done) { Call(std::move(done)); };
  }

 private:
  class Session;
  std::shared_ptr<Session> session_;
};

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_WS_LOAD_CLIENT_H_
