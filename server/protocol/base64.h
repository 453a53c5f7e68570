// Standard base64 (RFC 4648, with padding), as the gateway uses for images and QR codes.
#ifndef WXBRIDGE_SERVER_PROTOCOL_BASE64_H_
#define WXBRIDGE_SERVER_PROTOCOL_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace wxbridge::protocol {

std::string Base64Encode(std::string_view bytes);
// Accepts padded or unpadded input and ignores ASCII whitespace; nullopt on any other
// character outside the alphabet.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_BASE64_H_
