// UTF-8 checks: protobuf string fields, JSON text and log lines must hold valid UTF-8.
#ifndef WXBRIDGE_SERVER_COMMON_UTF8_H_
#define WXBRIDGE_SERVER_COMMON_UTF8_H_

#include <string>
#include <string_view>

namespace wxbridge {

bool IsValidUtf8(std::string_view text);
// Replaces each invalid sequence with U+FFFD.
std::string SanitizeUtf8(std::string_view text);

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_UTF8_H_
