// The simulator's WebSocket server (Boost.Beast): accepts on any path, one
// session per connection with its own write queue, everything on one I/O
// thread. It knows nothing of the protocol: frames go to a ConnectionListener
// and come back through Send().
#ifndef WXBRIDGE_SERVER_SIM_SIM_SERVER_H_
#define WXBRIDGE_SERVER_SIM_SIM_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "server/common/limits.h"
#include "server/sim/sim_outbound.h"

namespace wxbridge::sim {

// Called on the I/O thread, one call at a time.
class ConnectionListener {
 public:
  virtual ~ConnectionListener() = default;
  virtual void OnOpen(ConnectionId connection) = 0;  // after the WebSocket handshake
  virtual void OnText(ConnectionId connection, std::string text) = 0;
  virtual void OnBinary(ConnectionId connection) = 0;
  virtual void OnClose(ConnectionId connection) = 0;  // only after OnOpen
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  // Frames queued on one connection beyond which it is dropped as hopelessly
  // slow.
  std::size_t max_queued_frames = 1u << 20;
};

class SimServer {
 public:
  SimServer(ServerOptions options, ConnectionListener *listener);
  ~SimServer();  // Stop()s.
  SimServer(const SimServer &) = delete;
  SimServer &operator=(const SimServer &) = delete;

  // Binds, listens and starts the I/O thread.
  absl::Status Start();
  // Closes everything and joins the I/O thread. Idempotent.
  void Stop();
  uint16_t port() const;

  // The rest is thread-safe and ordered: what one thread sends arrives in that
  // order. Frames for connections that are gone are dropped.
  void Send(std::vector<Outbound> frames);
  void SendToAll(std::string text);
  void RunAfter(std::chrono::milliseconds delay, std::function<void()> task);
  void DropAll();
  void SetStalled(bool stalled);
  // Reads wait (requests and pings stay in the kernel) while writes go on.
  void SetReadsPaused(bool paused);
  // Every connection open now writes what `source` gives it whenever it has nothing
  // queued (connections opened later have no source). Replaces the previous source;
  // nullptr removes it.
  void SetFrameSource(FrameSource source);
  // Asks the source again on every idle connection (after it returned nullopt).
  void PullFrames();

  std::size_t open_count() const;
  std::size_t accepted_count() const;
  // The most connections open at once since start.
  std::size_t peak_open_count() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIM_SERVER_H_
