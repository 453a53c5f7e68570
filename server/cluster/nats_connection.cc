#include "server/cluster/nats_connection.h"

#include "absl/strings/str_cat.h"
#include "server/cluster/nats_status.h"
#include "server/upstream/upstream_client.h"

namespace wxbridge::cluster {
namespace {

// natsOptions is only needed until the connection exists.
struct OptionsDeleter {
  void operator()(natsOptions* options) const { natsOptions_Destroy(options); }
};

}  // namespace

natsStatus ApplyNatsSecurity(natsOptions* options, const std::string& creds_file,
                             const std::string& tls_ca_file) {
  natsStatus s = NATS_OK;
  if (!creds_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(options, creds_file.c_str(), nullptr);
  }
  if (s == NATS_OK && !tls_ca_file.empty()) {
    s = natsOptions_SetSecure(options, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(options, tls_ca_file.c_str());
  }
  return s;
}

absl::StatusOr<std::unique_ptr<NatsConnection>> NatsConnection::Connect(
    const NatsConnectionOptions& options, jsOptions* js_options) {
  natsOptions* raw = nullptr;
  if (natsStatus s = natsOptions_Create(&raw); s != NATS_OK) {
    return NatsError(s, "nats options");
  }
  std::unique_ptr<natsOptions, OptionsDeleter> nats_options(raw);
  natsStatus s = natsOptions_SetURL(raw, options.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(raw, options.connect_timeout.count());
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(raw, -1);  // reconnect forever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(raw, options.reconnect_wait.count());
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(raw, options.reconnect_buffer_bytes);
  if (s == NATS_OK) s = ApplyNatsSecurity(raw, options.creds_file, options.tls_ca_file);
  if (s != NATS_OK) return NatsError(s, "nats options");

  std::unique_ptr<NatsConnection> connection(new NatsConnection());
  if (s = natsConnection_Connect(&connection->connection_, raw); s != NATS_OK) {
    // Never the URL's user and password.
    return NatsError(s, absl::StrCat("connect to ", upstream::RedactUrl(options.url)));
  }
  if (js_options == nullptr) return connection;  // plain NATS only
  js_options->Wait = options.api_timeout.count();
  if (s = natsConnection_JetStream(&connection->jetstream_, connection->connection_, js_options);
      s != NATS_OK) {
    return NatsError(s, "JetStream context");
  }
  return connection;
}

NatsConnection::~NatsConnection() {
  if (jetstream_ != nullptr) jsCtx_Destroy(jetstream_);
  if (connection_ != nullptr) {
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
  }
}

}  // namespace wxbridge::cluster
