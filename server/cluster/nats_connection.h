// One connection to NATS and its JetStream context, owned together: connected (with
// endless reconnects) by Connect, closed and freed by the destructor. Subscriptions
// made on it must be destroyed first.
#ifndef WXBRIDGE_SERVER_CLUSTER_NATS_CONNECTION_H_
#define WXBRIDGE_SERVER_CLUSTER_NATS_CONNECTION_H_

#include <nats/nats.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/cluster/jetstream_config.h"

namespace wxbridge::cluster {

// Applies the credentials and TLS settings every NATS connection of a replica shares
// (creds file, CA bundle) to `options`.
natsStatus ApplyNatsSecurity(natsOptions* options, const std::string& creds_file,
                             const std::string& tls_ca_file);

class NatsConnection {
 public:
  // Connects to options.url and opens a JetStream context with `js_options` (its
  // PublishAsync handlers and their closures must outlive the connection), or none when
  // `js_options` is null (plain NATS: jetstream() is null). UNAVAILABLE
  // when no server answers within connect_timeout.
  static absl::StatusOr<std::unique_ptr<NatsConnection>> Connect(
      const NatsConnectionOptions& options, jsOptions* js_options);
  ~NatsConnection();  // closes the connection: pending publishes are dropped
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;

  // Closes the connection (and every subscription on it) now; the destructor frees it.
  void Close() { natsConnection_Close(connection_); }

  natsConnection* connection() const { return connection_; }
  jsCtx* jetstream() const { return jetstream_; }
  // The server's max_payload, learnt at connect.
  int64_t max_payload() const { return natsConnection_GetMaxPayload(connection_); }
  bool connected() const {
    return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
  }

 private:
  NatsConnection() = default;

  natsConnection* connection_ = nullptr;
  jsCtx* jetstream_ = nullptr;
};

}  // namespace wxbridge::cluster

#endif  // WXBRIDGE_SERVER_CLUSTER_NATS_CONNECTION_H_
