#include "server/common/json_log_line.h"

#include "server/common/json_string.h"
#include "server/common/utf8.h"

namespace wxbridge {

std::string JsonLogLine(std::string_view time, std::string_view level, std::string_view component,
                        std::string_view message, const std::vector<LogField>& fields) {
  std::string line = "{";
  line.reserve(96 + message.size());
  // Keys are ours; values may hold anything a gateway or caller sent.
  const auto member = [&line](std::string_view key, std::string_view value) {
    if (line.size() > 1) line.push_back(',');
    AppendJsonString(&line, key);
    line.push_back(':');
    if (IsValidUtf8(value)) {
      AppendJsonString(&line, value);
    } else {
      AppendJsonString(&line, SanitizeUtf8(value));
    }
  };
  member("time", time);
  member("level", level);
  member("component", component);
  member("message", message);
  for (const LogField& field : fields) member(field.key, field.value);
  line.append("}\n");
  return line;
}

}  // namespace wxbridge
