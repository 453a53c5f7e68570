// Everything a JetStream-backed event log is configured with, with its defaults: where
// NATS is, which cluster's log, the retention bounds (the same ones the other stores
// take) and the limits of the publishing side. Plain data; flags are parsed elsewhere.
#ifndef WXBRIDGE_SERVER_CLUSTER_JETSTREAM_CONFIG_H_
#define WXBRIDGE_SERVER_CLUSTER_JETSTREAM_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"

namespace wxbridge::cluster {

struct NatsConnectionOptions {
  std::string url = "nats://127.0.0.1:4222";
  // A NATS .creds file (user JWT and NKey seed), or empty.
  std::string creds_file;
  // PEM CA bundle that signs the server's certificate: TLS (also implied by a tls://
  // url) checked against it instead of the system store; empty: none.
  std::string tls_ca_file;
  // Bounds the first connect; reconnects after that go on forever, `reconnect_wait` apart.
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds reconnect_wait{250};
  // What cnats buffers while disconnected; a publish beyond it fails (and fences the
  // writer, jetstream_event_store.h).
  int reconnect_buffer_bytes = 8 << 20;
  // JetStream API requests (stream info, add stream).
  std::chrono::milliseconds api_timeout{5000};
};

struct JetStreamEventStoreOptions {
  NatsConnectionOptions nats;
  // The cluster's name: the stream is WXBRIDGE_<cluster>, its subjects
  // wxbridge.<cluster>.ev.<account>.<kind>. Letters, digits, '-' and '_' only.
  std::string cluster;

  // Retention, as EventLogOptions / SqliteEventStoreOptions: the replica's window keeps
  // at most this many events and RetainedBytes (the newest always stays); the stream is
  // created with MaxMsgs = retention_count, MaxAge = retention_age and a MaxBytes that
  // leaves room for each message's subject and headers (kStreamBytesPerMessage), so the
  // stream always holds at least what a window does.
  std::size_t retention_count = 65536;
  std::size_t retention_bytes = std::size_t{256} << 20;
  std::chrono::seconds retention_age{0};  // 0: no age bound
  // As the other stores; lowered to what the server's max_payload allows (minus room for
  // the headers) when that is smaller: a larger event is cut to fit, marked truncated.
  std::size_t max_event_bytes = std::size_t{1} << 20;

  // The stream's dedup window for the message id "<log_id>-<seq>".
  std::chrono::seconds duplicates_window{120};
  // Publishes waiting for their ack; Append never waits for room: a publish refused for
  // want of it fences the writer.
  int64_t max_pending_publishes = 65536;
  // A publish not acknowledged within this fences the writer (lost connection).
  std::chrono::milliseconds publish_ack_timeout{5000};
  // Open waits this long for the replica's window to catch up with the stream's head.
  std::chrono::milliseconds catch_up_timeout{10000};

  // Runs once, on a NATS thread, when this store stops being a safe writer (another
  // writer appended, or a publish was lost): the holder of the upstream gives it up.
  std::function<void(const absl::Status&)> on_fenced;
};

// Stream bytes allowed per message beyond its RetainedBytes (subject, headers, overhead).
inline constexpr std::size_t kStreamBytesPerMessage = 512;
// Room kept under the server's max_payload for the message headers.
inline constexpr std::size_t kHeaderRoom = 1024;

}  // namespace wxbridge::cluster

#endif  // WXBRIDGE_SERVER_CLUSTER_JETSTREAM_CONFIG_H_
