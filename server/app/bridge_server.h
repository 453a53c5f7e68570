// One wxbridge process, assembled from its BridgeConfig: the embedded simulator (when no
// upstream is set), the event log, the gateway link, the gRPC service with reflection
// and health. Used by main.cc and, in-process, by the integration tests.
#ifndef WXBRIDGE_SERVER_APP_BRIDGE_SERVER_H_
#define WXBRIDGE_SERVER_APP_BRIDGE_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "server/app/bridge_config.h"

namespace wxbridge::app {

// The version reported in hellos, GetStatus and --version (CMake's project version), and
// the git commit the build was configured from ("unknown" outside a checkout).
extern const char kBridgeVersion[];
extern const char kBridgeCommit[];

class BridgeServer {
 public:
  explicit BridgeServer(BridgeConfig config);
  ~BridgeServer();  // Shutdown()s.

  // Validates the config, then starts every part; the first failure is returned.
  absl::Status Start();
  // Graceful: health NOT_SERVING, new calls refused, streams finished with UNAVAILABLE,
  // in-flight calls given shutdown_grace, then the WebSocket closed with a close frame.
  // Idempotent.
  void Shutdown();
  // Re-reads the tokens file and the TLS certificates (SIGHUP). A file that fails its
  // checks is logged and the one in use stays; open streams and connections continue.
  void Reload();
  // Cluster mode: runs once when this replica lost the upstream lease (or its event-log
  // writer was fenced) and has closed the upstream; the process should then end, and be
  // started again as a follower. Set before Start().
  void SetLeaseLostHandler(std::function<void()> handler);

  int port() const;
  // The /metrics port, 0 when metrics are off.
  int metrics_port() const;
  // The HTTP port (--http_listen), or 0 when there is none.
  int http_port() const;
  // The upstream URL in use (the embedded simulator's when none was configured).
  std::string upstream_url() const;
  // The embedded simulator, or nullptr.
  sim::Simulator* simulator();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wxbridge::app

#endif  // WXBRIDGE_SERVER_APP_BRIDGE_SERVER_H_
