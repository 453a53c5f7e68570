#include "server/common/protobuf_log.h"

#include <string>

#include "google/protobuf/stubs/logging.h"
#include "server/common/log.h"
#include "server/common/log_throttle.h"

namespace wxbridge {
namespace {

LogThrottle& Throttle() {
  static LogThrottle* throttle = new LogThrottle();  // never destroyed: used at exit too
  return *throttle;
}

void HandleProtobufLog(google::protobuf::LogLevel level, const char* /*filename*/, int /*line*/,
                       const std::string& message) {
  if (level == google::protobuf::LOGLEVEL_FATAL) {
    LogLine(LogLevel::kError, "protobuf", message);
    return;
  }
  uint64_t held_back = 0;
  if (!Throttle().Allow(&held_back)) return;
  Log(level == google::protobuf::LOGLEVEL_INFO ? LogLevel::kInfo : LogLevel::kWarning, "protobuf",
      message, " (", held_back,
      " more protobuf lines held back before this one; at most one a minute)");
}

}  // namespace

void RouteProtobufLogs() { google::protobuf::SetLogHandler(&HandleProtobufLog); }

}  // namespace wxbridge
