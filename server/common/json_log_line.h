// The JSON form of one log line (--log_format=json): one object, one line, every value a
// JSON string. Control characters are escaped and invalid UTF-8 becomes U+FFFD, so any
// JSON parser (jq, a log shipper) reads every line, whatever the gateway sent.
#ifndef WXBRIDGE_SERVER_COMMON_JSON_LOG_LINE_H_
#define WXBRIDGE_SERVER_COMMON_JSON_LOG_LINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "server/common/log.h"

namespace wxbridge {

// {"time":…,"level":…,"component":…,"message":…,<fields>…}\n
std::string JsonLogLine(std::string_view time, std::string_view level, std::string_view component,
                        std::string_view message, const std::vector<LogField>& fields);

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_JSON_LOG_LINE_H_
