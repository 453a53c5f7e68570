// WeChat's 64-bit message ids, read exactly however the gateway writes them: a JSON
// integer up to 2^64-1, a decimal string, or a float whose text is integral
// ("7.0317e18", "123.0"). A float is read from the frame's own text, not through a
// double, which holds only 53 bits.
#ifndef WXBRIDGE_SERVER_PROTOCOL_EXACT_ID_H_
#define WXBRIDGE_SERVER_PROTOCOL_EXACT_ID_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "server/protocol/json_fields.h"

namespace wxbridge::protocol {

// Decimal text with an optional fraction and exponent ("12", "1.2e1", "120.00") whose
// value is an integer in [0, 2^64); nullopt otherwise.
std::optional<uint64_t> ParseExactId(std::string_view text);

// The text of the value of `key` in the top-level object `object_text` (valid JSON, as
// ParseJson accepted it); the last one when the key repeats, as nlohmann keeps it.
std::optional<std::string_view> TopLevelValueText(std::string_view object_text,
                                                  std::string_view key);

// object[key] as an exact id; `object_text` is the text `object` was parsed from.
std::optional<uint64_t> ExactIdField(const Json& object, std::string_view object_text,
                                     const char* key);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_EXACT_ID_H_
