// A tiny leveled logger to stderr (abseil 20220623 has no absl/log). Thread-safe; one
// line per call. Never pass the upstream authKey in a message.
#ifndef WXBRIDGE_SERVER_COMMON_LOG_H_
#define WXBRIDGE_SERVER_COMMON_LOG_H_

#include <string_view>

#include "absl/strings/str_cat.h"

namespace wxbridge {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warning", "error", "off"; false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* level);
void LogLine(LogLevel level, std::string_view component, std::string_view message);

// Log(LogLevel::kInfo, "upstream", "connected to ", url) — arguments are StrCat'ed only
// when the level is enabled.
template <typename... Args>
void Log(LogLevel level, std::string_view component, const Args&... args) {
  if (level < GetLogLevel()) return;
  LogLine(level, component, absl::StrCat(args...));
}

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_LOG_H_
