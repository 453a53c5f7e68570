// Writes one flat JSON object as strict JSON text, in the order fields are
// added, with raw values spliced in verbatim (no re-parse of large payloads).
#ifndef WXBRIDGE_SERVER_PROTOCOL_JSON_WRITER_H_
#define WXBRIDGE_SERVER_PROTOCOL_JSON_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/common/json_string.h"

namespace wxbridge::protocol {

class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::size_t expected_size = 0);

  // Text is escaped; invalid UTF-8 is replaced by U+FFFD so the output stays
  // JSON.
  JsonObjectWriter& String(std::string_view key, std::string_view value);
  JsonObjectWriter& Number(std::string_view key, int64_t value);
  JsonObjectWriter& Unsigned(std::string_view key, uint64_t value);
  // value must already be JSON text.
  JsonObjectWriter& Raw(std::string_view key, std::string_view value);

  // The closed object; the writer is spent.
  std::string Finish() &&;

 private:
  void Key(std::string_view key);

  std::string text_;
};

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_JSON_WRITER_H_
