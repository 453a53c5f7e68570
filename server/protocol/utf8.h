// UTF-8 checks: protobuf string fields must hold valid UTF-8.
#ifndef WXBRIDGE_SERVER_PROTOCOL_UTF8_H_
#define WXBRIDGE_SERVER_PROTOCOL_UTF8_H_

#include <string>
#include <string_view>

namespace wxbridge::protocol {

bool IsValidUtf8(std::string_view text);
// Replaces each invalid sequence with U+FFFD.
std::string SanitizeUtf8(std::string_view text);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_UTF8_H_
