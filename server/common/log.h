// A tiny leveled logger to stderr (abseil 20220623 has no absl/log). Thread-safe; one
// line per call. Never pass the upstream authKey in a message.
#ifndef WXBRIDGE_SERVER_COMMON_LOG_H_
#define WXBRIDGE_SERVER_COMMON_LOG_H_

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace wxbridge {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warning", "error", "off"; false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* level);
// One line: control characters in `message` (which may quote the gateway or a caller) are
// escaped, so nothing can end a line early or forge the next one.
void LogLine(LogLevel level, std::string_view component, std::string_view message);
// `text` itself when it has no control character (0x00-0x1f, 0x7f); otherwise `storage`,
// filled with `text` where \n, \r, \t and others read as \n, \r, \t and \xNN.
std::string_view EscapeControlCharacters(std::string_view text, std::string* storage);

// Log(LogLevel::kInfo, "upstream", "connected to ", url) — arguments are StrCat'ed only
// when the level is enabled.
template <typename... Args>
void Log(LogLevel level, std::string_view component, const Args&... args) {
  if (level < GetLogLevel()) return;
  LogLine(level, component, absl::StrCat(args...));
}

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_LOG_H_
