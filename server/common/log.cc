#include "server/common/log.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

#include "absl/strings/escaping.h"
#include "server/common/json_log_line.h"

namespace wxbridge {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<LogFormat> g_format{LogFormat::kText};
std::mutex g_write_mutex;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kOff:
      return "OFF";
  }
  return "?";
}

// The level as --log_level spells it and JSON lines carry it.
const char* JsonLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "?";
}

// 2026-01-01T00:00:00.000Z
std::string TimeStamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  const std::size_t length = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(stamp + length, sizeof stamp - length, ".%03dZ", static_cast<int>(millis));
  return stamp;
}

std::string TextLine(LogLevel level, std::string_view component, std::string_view message,
                     const std::vector<LogField>& fields) {
  std::string escaped;
  std::string line = TimeStamp();
  char level_column[8];
  std::snprintf(level_column, sizeof level_column, " %-5s ", LevelName(level));
  line.append(level_column).append(component).append(": ");
  line.append(EscapeControlCharacters(message, &escaped));
  bool first = message.empty();
  for (const LogField& field : fields) {
    line.append(first ? "" : " ").append(field.key).append("=");
    first = false;
    if (field.quoted) {
      line.append("\"").append(absl::CHexEscape(field.value)).append("\"");
    } else {
      line.append(EscapeControlCharacters(field.value, &escaped));
    }
  }
  line.push_back('\n');
  return line;
}

}  // namespace

std::string_view EscapeControlCharacters(std::string_view text, std::string* storage) {
  const auto is_control = [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  };
  if (std::none_of(text.begin(), text.end(), is_control)) return text;
  storage->clear();
  storage->reserve(text.size() + 16);
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : text) {
    if (!is_control(c)) {
      storage->push_back(c);
    } else if (c == '\n') {
      storage->append("\\n");
    } else if (c == '\r') {
      storage->append("\\r");
    } else if (c == '\t') {
      storage->append("\\t");
    } else {
      const auto byte = static_cast<unsigned char>(c);
      storage->append({'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]});
    }
  }
  return *storage;
}

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }
void SetLogFormat(LogFormat format) { g_format = format; }
LogFormat GetLogFormat() { return g_format.load(); }

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  for (const LogLevel known :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError, LogLevel::kOff}) {
    if (text == JsonLevelName(known)) {
      *level = known;
      return true;
    }
  }
  return false;
}

bool ParseLogFormat(std::string_view text, LogFormat* format) {
  if (text == "text") {
    *format = LogFormat::kText;
  } else if (text == "json") {
    *format = LogFormat::kJson;
  } else {
    return false;
  }
  return true;
}

void LogLine(LogLevel level, std::string_view component, std::string_view message,
             const std::vector<LogField>& fields) {
  if (level < GetLogLevel()) return;
  // Formatted before the lock: only the write is serialized.
  const std::string line =
      GetLogFormat() == LogFormat::kJson
          ? JsonLogLine(TimeStamp(), JsonLevelName(level), component, message, fields)
          : TextLine(level, component, message, fields);
  std::lock_guard<std::mutex> lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace wxbridge
