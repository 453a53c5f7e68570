// The bridge's HTTP port (--http_listen): the JSON API (POST /v1/<Method>), the event
// stream as Server-Sent Events (GET /v1/events) and the web console (GET /), with the
// gRPC port's TLS files and tokens. One I/O thread serves every connection; calls run
// on the GatewayLink and their answers come back to it. Beast stays in the .cc.
#ifndef WXBRIDGE_SERVER_HTTP_HTTP_SERVER_H_
#define WXBRIDGE_SERVER_HTTP_HTTP_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "server/auth/tls_server_credentials.h"
#include "server/http/http_config.h"
#include "server/rpc/command_core.h"
#include "server/rpc/subscribe_options.h"
#include "server/rpc/subscriber_registry.h"

namespace wxbridge::http {

struct HttpServerOptions {
  HttpConfig config;
  auth::TlsFiles tls;           // the gRPC port's; empty cert: plain HTTP
  bool tokens_enabled = false;  // without tokens, only IP or localhost Host headers
};

class HttpServer {
 public:
  // `core`, `registry` and subscribe.log outlive the server.
  HttpServer(HttpServerOptions options, rpc::CommandCore* core, rpc::SubscribeOptions subscribe,
             rpc::SubscriberRegistry* registry);
  ~HttpServer();  // Stop()

  // Binds and starts serving; an error says why it cannot listen.
  absl::Status Start();
  int port() const;
  // Closes the port and every connection; calls still running end without an answer.
  // Event streams should be finished first (SubscriberRegistry::FinishAll) so their
  // clients are told why.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wxbridge::http

#endif  // WXBRIDGE_SERVER_HTTP_HTTP_SERVER_H_
