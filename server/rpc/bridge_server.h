// One wxbridge instance: the embedded simulator (when no upstream is set), the gateway
// link, the event log and the gRPC server with reflection and health. Used by main.cc
// and, in-process, by the integration tests.
#ifndef WXBRIDGE_SERVER_RPC_BRIDGE_SERVER_H_
#define WXBRIDGE_SERVER_RPC_BRIDGE_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "server/rpc/bridge_config.h"

namespace wxbridge::rpc {

// The version reported in hellos and GetStatus.
extern const char kBridgeVersion[];

class BridgeServer {
 public:
  explicit BridgeServer(BridgeConfig config);
  ~BridgeServer();  // Shutdown()s.

  absl::Status Start();
  // Graceful: health NOT_SERVING, new calls refused, streams finished with UNAVAILABLE,
  // in-flight calls given shutdown_grace, then the WebSocket closed with a close frame.
  // Idempotent.
  void Shutdown();

  int port() const;
  // The upstream URL in use (the embedded simulator's when none was configured).
  std::string upstream_url() const;
  // The embedded simulator, or nullptr.
  sim::Simulator* simulator();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_BRIDGE_SERVER_H_
