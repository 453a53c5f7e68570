// Every limit, timeout and address of a wxbridge process, in one place. main.cc fills
// it from flags; tests fill it directly.
#ifndef WXBRIDGE_SERVER_RPC_BRIDGE_CONFIG_H_
#define WXBRIDGE_SERVER_RPC_BRIDGE_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "server/sim/simulator.h"

namespace wxbridge::rpc {

struct BridgeConfig {
  // gRPC listen address; port 0 picks a free one (BridgeServer::port()).
  std::string listen = "127.0.0.1:50051";
  // ws:// or wss:// gateway URL; empty: start the embedded simulator.
  std::string upstream_url;
  // The gateway authKey. With the embedded simulator an empty key means the
  // simulator's default.
  std::string auth_key;
  bool tls_verify_peer = true;

  std::chrono::milliseconds default_call_timeout{30000};
  std::chrono::milliseconds heartbeat_interval{15000};
  // One limit for gateway frames and gRPC messages (a 10 MB image is ~13.4 MB framed).
  std::size_t max_frame_bytes = 32u << 20;
  std::size_t event_retention = 65536;

  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds ping_interval{10000};
  std::chrono::milliseconds backoff_initial{200};
  std::chrono::milliseconds backoff_max{30000};

  // Server-side gRPC keepalive: ping idle clients, drop half-open connections.
  std::chrono::milliseconds keepalive_time{30000};
  std::chrono::milliseconds keepalive_timeout{10000};
  // How long shutdown waits for in-flight calls.
  std::chrono::milliseconds shutdown_grace{3000};

  // The embedded simulator (used only when upstream_url is empty).
  sim::SimulatorConfig simulator;
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_BRIDGE_CONFIG_H_
