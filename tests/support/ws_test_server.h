// A minimal WebSocket server for tests of WebSocket clients (the upstream client): one
// io thread on 127.0.0.1:<ephemeral>, plain or TLS, that records what it receives and
// misbehaves on request (drops, stalls, stops listening). The gateway simulator
// (server/sim) is the protocol-speaking server; this one knows no protocol.
#ifndef WXBRIDGE_TESTS_SUPPORT_WS_TEST_SERVER_H_
#define WXBRIDGE_TESTS_SUPPORT_WS_TEST_SERVER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wxbridge::testing {

struct ServerRecord {
  int handshakes = 0;      // WebSocket handshakes accepted
  int sessions_ended = 0;  // connections whose read loop ended (close, drop, error)
  std::string last_host;   // Host header of the latest handshake
  std::string last_target;
  std::vector<std::string> frames;  // in arrival order
  std::vector<int> close_codes;     // close frames received from the client
};

struct TlsFiles {
  std::string cert_path;
  std::string key_path;
};

// A self-signed certificate for localhost and 127.0.0.1, made with the openssl CLI in a
// new directory under `parent`; nullopt when that fails.
std::optional<TlsFiles> MakeSelfSignedCert(const std::string& parent);

class WsTestServer {
 public:
  explicit WsTestServer(std::optional<TlsFiles> tls = std::nullopt);
  ~WsTestServer();

  std::string url(const std::string& target = "/ws") const;

  // Thread-safe; each takes effect on the server's thread, in call order, and acts on the
  // latest connection.
  void Send(std::string frame, bool binary = false);
  // Closes the TCP socket (RST), no close frame.
  void DropConnection();
  // Stops reading, so pings go unanswered; applies to later connections too.
  void Stall();
  void StopListening();
  // Listens again on the same port.
  void StartListening();

  // Waits until `done(record)` holds; false at the deadline.
  bool WaitFor(const std::function<bool(const ServerRecord&)>& done,
               std::chrono::milliseconds timeout) const;
  ServerRecord record() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_SUPPORT_WS_TEST_SERVER_H_
