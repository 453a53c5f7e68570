// A tiny leveled logger to stderr (abseil 20220623 has no absl/log). Thread-safe; one
// line per call, as readable text or as one JSON object (for log shippers). Never pass
// the upstream authKey, a token or message content in a message or a field.
#ifndef WXBRIDGE_SERVER_COMMON_LOG_H_
#define WXBRIDGE_SERVER_COMMON_LOG_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"

namespace wxbridge {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

// text: `2026-01-01T00:00:00.000Z INFO  component: message key="value"`.
// json: `{"time":"2026-01-01T00:00:00.000Z","level":"info","component":"…","message":"…",
// "key":"value"}` — every value a JSON string, invalid UTF-8 replaced by U+FFFD.
enum class LogFormat { kText, kJson };
void SetLogFormat(LogFormat format);
LogFormat GetLogFormat();
// Parses "text", "json"; false when unknown.
bool ParseLogFormat(std::string_view text, LogFormat* format);

// A named value on a line: its own key in JSON; ` key=value` after the message in text,
// quoted and escaped there when `quoted` (values a caller or the gateway chose). Keys are
// fixed names, never time, level, component or message.
struct LogField {
  std::string_view key;
  std::string value;
  bool quoted = true;
};

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warning", "error", "off"; false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* level);
// One line: control characters in `message` (which may quote the gateway or a caller) are
// escaped, so nothing can end a line early or forge the next one.
void LogLine(LogLevel level, std::string_view component, std::string_view message,
             const std::vector<LogField>& fields = {});
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
