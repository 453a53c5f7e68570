// A JSON string literal from text: the one escaper behind the bridge's JSON request
// frames and its JSON log lines.
#ifndef WXBRIDGE_SERVER_COMMON_JSON_STRING_H_
#define WXBRIDGE_SERVER_COMMON_JSON_STRING_H_

#include <string>
#include <string_view>

namespace wxbridge {

// Appends `text` (valid UTF-8) as a quoted JSON string: quotes, backslashes and control
// characters escaped, everything else as it is.
void AppendJsonString(std::string* out, std::string_view text);

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_JSON_STRING_H_
