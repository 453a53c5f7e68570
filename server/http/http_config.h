// The HTTP port's settings (--http_listen and its limits), every default in one place.
#ifndef WXBRIDGE_SERVER_HTTP_HTTP_CONFIG_H_
#define WXBRIDGE_SERVER_HTTP_HTTP_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "server/common/limits.h"

namespace wxbridge::http {

struct HttpConfig {
  // host:port; empty: no HTTP port. Port 0 picks a free one (HttpServer::port()).
  std::string listen;
  // A request body over this is refused 413 (a SendImage body carries the image as
  // base64, as its gateway frame does: the same bound).
  std::size_t max_body_bytes = kDefaultMaxFrameBytes;
  // Connections open at once; one more is closed at once.
  std::size_t max_connections = 1000;
  // A request (headers and body) must arrive within this, or its connection is closed:
  // a client cannot hold a connection by sending slowly.
  std::chrono::milliseconds request_timeout{30000};
};

}  // namespace wxbridge::http

#endif  // WXBRIDGE_SERVER_HTTP_HTTP_CONFIG_H_
