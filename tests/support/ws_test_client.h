// A small synchronous WebSocket client for tests and benchmarks: every call
// blocks at most until its deadline. One thread at a time; not for production
// use.
#ifndef WXBRIDGE_TESTS_SUPPORT_WS_TEST_CLIENT_H_
#define WXBRIDGE_TESTS_SUPPORT_WS_TEST_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"

namespace wxbridge::testing {

class WsTestClient {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kDefaultTimeout{5000};

  WsTestClient();
  ~WsTestClient();
  WsTestClient(const WsTestClient &) = delete;
  WsTestClient &operator=(const WsTestClient &) = delete;

  // ws://host:port/path (no TLS).
  absl::Status Connect(const std::string &url, std::chrono::milliseconds timeout = kDefaultTimeout);
  absl::Status SendText(const std::string &text,
                        std::chrono::milliseconds timeout = kDefaultTimeout);
  absl::Status SendBinary(const std::string &bytes,
                          std::chrono::milliseconds timeout = kDefaultTimeout);
  // Sends a ping; pongs are counted by pongs_received() while a receive is
  // running.
  absl::Status Ping(std::chrono::milliseconds timeout = kDefaultTimeout);

  // The next text or binary frame; nullopt when the deadline passes or the
  // connection ends (see is_open()). A read left running at the deadline
  // continues on the next call.
  std::optional<std::string> Receive(std::chrono::milliseconds timeout = kDefaultTimeout);
  // Frames until one satisfies `predicate` (the others are discarded); nullopt
  // as above.
  std::optional<std::string> ReceiveUntil(const std::function<bool(const std::string &)> &predicate,
                                          std::chrono::milliseconds timeout = kDefaultTimeout);

  bool is_open() const;
  // Why the connection ended, once it has.
  std::string close_reason() const;
  std::size_t pongs_received() const;
  // Sends a close frame and waits (bounded) for the peer's.
  void Close(std::chrono::milliseconds timeout = kDefaultTimeout);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_SUPPORT_WS_TEST_CLIENT_H_
