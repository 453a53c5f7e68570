#include "server/protocol/json_writer.h"

#include "absl/strings/str_cat.h"
#include "server/protocol/utf8.h"

namespace wxbridge::protocol {

void AppendJsonString(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

JsonObjectWriter::JsonObjectWriter(std::size_t expected_size) {
  text_.reserve(expected_size + 2);
  text_.push_back('{');
}

void JsonObjectWriter::Key(std::string_view key) {
  if (text_.size() > 1) text_.push_back(',');
  AppendJsonString(&text_, key);
  text_.push_back(':');
}

JsonObjectWriter& JsonObjectWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  if (IsValidUtf8(value)) {
    AppendJsonString(&text_, value);
  } else {
    AppendJsonString(&text_, SanitizeUtf8(value));
  }
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Number(std::string_view key, int64_t value) {
  Key(key);
  absl::StrAppend(&text_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Unsigned(std::string_view key, uint64_t value) {
  Key(key);
  absl::StrAppend(&text_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Raw(std::string_view key, std::string_view value) {
  Key(key);
  text_.append(value);
  return *this;
}

std::string JsonObjectWriter::Finish() && {
  text_.push_back('}');
  return std::move(text_);
}

}  // namespace wxbridge::protocol
