// Exception-free JSON parsing with a nesting limit, and lenient field getters
// for the gateway's loosely typed frames (numbers as strings, strings as
// numbers).
#ifndef WXBRIDGE_SERVER_PROTOCOL_JSON_FIELDS_H_
#define WXBRIDGE_SERVER_PROTOCOL_JSON_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace wxbridge::protocol {

// Untrusted text (a caller's data_json, the gateway's frames) is parsed into this: a
// key is inserted in logarithmic time (nlohmann::ordered_json scans every key on each
// insert, quadratic in the keys). Objects dumped from it come out in key order;
// CompactJson keeps a text's own order.
using Json = nlohmann::json;

struct ParsedJson {
  enum class Error { kNone, kInvalid, kTooDeep, kTooManyKeys };
  Error error = Error::kNone;
  // The parser's words (with line and column) when error is set.
  std::string detail;
  Json value;
};

// Parses valid-UTF-8 text; nesting deeper than max_depth, and more than max_keys object
// keys at all levels, are refused by a linear scan before parsing.
ParsedJson ParseJson(std::string_view text, std::size_t max_depth, std::size_t max_keys = SIZE_MAX);

// `text` (which ParseJson accepted) as compact JSON, keys in the text's own order,
// duplicates included; strings re-escaped as JsonObjectWriter does. Linear in the size.
std::string CompactJson(std::string_view text);

// Strings as they are, numbers and booleans in decimal text, objects and arrays
// as compact JSON, "" for null. Always valid UTF-8.
std::string AsText(const Json& value);
// AsText of object[key]; "" when absent.
std::string TextField(const Json& object, const char* key);

// An integer given as a JSON integer, an integral number, or a decimal string;
// nullopt when absent, not integral or out of range. Never goes through a
// double for large ids.
std::optional<int64_t> AsInt64(const Json& value);
std::optional<int64_t> Int64Field(const Json& object, const char* key);
std::optional<int32_t> Int32Field(const Json& object, const char* key);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_JSON_FIELDS_H_
