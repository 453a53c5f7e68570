// One WebSocket connection to the gateway (ws:// or wss://), used once: resolve, TCP
// connect, TLS, WebSocket handshake, then a read loop and one write at a time. The only
// place that knows Beast; UpstreamClient makes a new connection per attempt and owns the
// policy (write queue, reconnect, state reports).
#ifndef WXBRIDGE_SERVER_UPSTREAM_UPSTREAM_CONNECTION_H_
#define WXBRIDGE_SERVER_UPSTREAM_UPSTREAM_CONNECTION_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "boost/asio/io_context.hpp"
#include "server/upstream/upstream_client.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace wxbridge::upstream {

// What a connection reports, on the io_context's thread. Nothing fires after on_failed,
// Abort() or Close() (except Close's own `done`).
struct ConnectionEvents {
  // The WebSocket handshake succeeded; the read loop starts when this returns.
  std::function<void()> on_open;
  std::function<void(std::string frame, bool binary)> on_frame;
  // The write started by Write() went out.
  std::function<void()> on_write_done;
  // The connection could not be made or has ended; `reason` is for humans and names the
  // upstream only by its redacted URL. `frame_too_big`: the gateway closed it with code
  // 1009, refusing a frame we wrote as too big.
  std::function<void(std::string reason, bool frame_too_big)> on_failed;
};

class UpstreamConnection {
 public:
  virtual ~UpstreamConnection() = default;

  virtual void Open() = 0;
  // At most one write in flight: call again only after on_write_done.
  virtual void Write(std::shared_ptr<const std::string> frame) = 0;
  // Sends a close frame (normal closure) and waits for the gateway's, bounded by
  // config.close_timeout; `done` runs exactly once, whatever happens.
  virtual void Close(std::function<void()> done) = 0;
  // Closes the socket now, without a close frame.
  virtual void Abort() = 0;
};

// The TLS client context for wss://, shared by every connection of one client: verifying
// against config.tls_ca_file, else the system store, unless config.tls_verify_peer is off.
absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(
    const UpstreamConfig& config);

// `tls` is required when url.tls, ignored otherwise.
std::shared_ptr<UpstreamConnection> MakeUpstreamConnection(
    boost::asio::io_context& io, const UpstreamConfig& config, const UpstreamUrl& url,
    std::shared_ptr<boost::asio::ssl::context> tls, ConnectionEvents events);

}  // namespace wxbridge::upstream

#endif  // WXBRIDGE_SERVER_UPSTREAM_UPSTREAM_CONNECTION_H_
