// The web console (docs/console.md): static files compiled into the binary, served at "/"
// by the HTTP server without a token. Nothing in them reaches outside the machine.
#ifndef WXBRIDGE_SERVER_HTTP_CONSOLE_ASSETS_H_
#define WXBRIDGE_SERVER_HTTP_CONSOLE_ASSETS_H_

#include <string_view>

namespace wxbridge::http {

struct ConsoleAsset {
  std::string_view path;          // "/index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;
};

// The asset served at `path` ("/" is index.html), or nullptr. `path` is the request
// target's path, without query.
const ConsoleAsset* FindConsoleAsset(std::string_view path);

}  // namespace wxbridge::http

#endif  // WXBRIDGE_SERVER_HTTP_CONSOLE_ASSETS_H_
