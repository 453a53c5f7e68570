// The web console's files as the build embedded them: console_files.cc is generated from
// server/http/console/ by embed_console.cmake. Read through console_assets.h.
#ifndef WXBRIDGE_SERVER_HTTP_CONSOLE_FILES_H_
#define WXBRIDGE_SERVER_HTTP_CONSOLE_FILES_H_

#include <cstddef>
#include <string_view>

namespace wxbridge::http {

struct ConsoleFile {
  std::string_view name;   // e.g. "index.html"
  std::string_view bytes;  // the file's exact contents
};

extern const ConsoleFile kConsoleFiles[];
extern const std::size_t kConsoleFileCount;

}  // namespace wxbridge::http

#endif  // WXBRIDGE_SERVER_HTTP_CONSOLE_FILES_H_
