// The one WebSocket to the gateway (ws:// or wss://): connect, TLS, read loop, the write
// queue (the only one: see WriteQueue), write timeout, ping, dead-peer detection,
// reconnect with exponential backoff and jitter.
// Knows nothing of JSON: frames are opaque text. Runs entirely on the io_context it is
// given (one thread); every public method must be called on that thread (use
// boost::asio::post from others). Callbacks also run on that thread.
#ifndef WXBRIDGE_SERVER_UPSTREAM_UPSTREAM_CLIENT_H_
#define WXBRIDGE_SERVER_UPSTREAM_UPSTREAM_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/asio/io_context.hpp"
#include "server/common/limits.h"
#include "wxbridge/v1/common.pb.h"

namespace wxbridge::upstream {

struct UpstreamConfig {
  // ws://host[:port]/path or wss://host[:port]/path.
  std::string url;
  std::chrono::milliseconds connect_timeout{5000};
  // A WebSocket ping is sent after this much silence; no pong within the same time
  // again means the connection is dead.
  std::chrono::milliseconds ping_interval{10000};
  std::chrono::milliseconds backoff_initial{200};
  std::chrono::milliseconds backoff_max{30000};
  // Stop() waits this long for the gateway to answer the close frame.
  std::chrono::milliseconds close_timeout{1000};
  // Largest inbound frame accepted (Beast read_message_max).
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  // Request frames waiting to be written, in bytes; a frame over it is refused.
  std::size_t max_queue_bytes = kDefaultMaxQueueBytes;
  // A write still incomplete after this long means the gateway stopped reading: the
  // connection is dropped (and reconnected).
  std::chrono::milliseconds write_timeout{10000};
  // wss: verify the server certificate (off only for throwaway test gateways).
  bool tls_verify_peer = true;
  // wss: a PEM bundle of the CAs that may sign the gateway's certificate. It replaces
  // the system store rather than adding to it: a gateway behind a private CA should not
  // also accept a certificate any public CA issued for its name. Empty: the system store.
  std::string tls_ca_file;
};

// A parsed ws:// or wss:// URL.
struct UpstreamUrl {
  bool tls = false;
  std::string host;
  std::string port;    // "80"/"443" when absent
  std::string target;  // path + query, "/" when absent
};
absl::StatusOr<UpstreamUrl> ParseUpstreamUrl(const std::string& url);
// The URL without userinfo or query, safe to log and to report.
std::string RedactUrl(const std::string& url);

// Loads `path` as a CA bundle the way a wss:// connection will: OK, or why not (unreadable,
// or no PEM certificate in it).
absl::Status CheckTlsCaFile(const std::string& path);

struct UpstreamCallbacks {
  // The socket is open. Frames written from inside this callback go out before
  // anything queued earlier (so code 100 is always first on a new connection).
  std::function<void()> on_connected;
  // One inbound frame; `binary` for binary frames.
  std::function<void(std::string frame, bool binary)> on_frame;
  // A frame handed to Write() was written (token as given).
  std::function<void(uint64_t token)> on_written;
  // The connection ended while this frame was being written, so the gateway may or may
  // not have it. True: write it again first on the next connection; false (or unset):
  // drop it.
  std::function<bool(uint64_t token)> resend_interrupted;
  // The gateway closed the connection with code 1009: a frame was too big for it. The
  // largest frame written on that connection is the one (any frame over the gateway's
  // limit is at most as large): `token`, which is never written again.
  std::function<void(uint64_t token, std::size_t bytes)> on_refused_too_big;
  // State changes, for bridge-state events. `attempt` counts reconnect attempts;
  // `retry_in` is the backoff before the next one.
  std::function<void(wxbridge::v1::UpstreamState state, const std::string& detail, uint32_t attempt,
                     std::chrono::milliseconds retry_in)>
      on_state;
};

class UpstreamClient {
 public:
  UpstreamClient(boost::asio::io_context& io, UpstreamConfig config, UpstreamCallbacks callbacks);
  // Never blocks and fires no further callback (a pending Stop's `done` still runs): an
  // open socket is closed without a close frame, so call Stop() and wait for `done` first
  // for a clean close. Call it on the io thread, or once the io_context no longer runs.
  ~UpstreamClient();

  // Starts connecting (and keeps reconnecting until Stop).
  void Start();
  // Sends a close frame, stops reconnecting; `done` runs once the socket is closed
  // (or at once if it was not open).
  void Stop(std::function<void()> done);

  bool connected() const;
  // Queues a text frame under `token` (unique while queued), connected or not: frames go
  // out in order whenever a connection is open; `first` puts it ahead of every frame not
  // yet being written. RESOURCE_EXHAUSTED (nothing queued) when the queue is full;
  // FAILED_PRECONDITION after Stop.
  absl::Status Write(std::shared_ptr<const std::string> frame, uint64_t token, bool first = false);
  // The frame's call has ended: it is never written, unless it is being written now.
  // True when it left the queue (or was not there); false when it is being written.
  bool Withdraw(uint64_t token);
  // Frames queued (the one being written included) and their bytes; any thread.
  std::size_t queued() const;
  std::size_t queued_bytes() const;
  // Bytes of request frames written to the gateway so far; any thread.
  uint64_t written_bytes() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace wxbridge::upstream

#endif  // WXBRIDGE_SERVER_UPSTREAM_UPSTREAM_CLIENT_H_
