#include "server/protocol/json_writer.h"

#include "absl/strings/str_cat.h"
#include "server/common/utf8.h"

namespace wxbridge::protocol {

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
