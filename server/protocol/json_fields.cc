#include "server/protocol/json_fields.h"

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/utf8.h"
#include "server/protocol/json_writer.h"

namespace wxbridge::protocol {
namespace {

// Counts bracket depth and object keys (a colon outside string literals) without
// recursion, so hostile nesting and key counts are refused before nlohmann (and later
// recursive dumps) ever see them.
ParsedJson::Error ScanShape(std::string_view text, std::size_t max_depth, std::size_t max_keys) {
  std::size_t depth = 0;
  std::size_t keys = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return ParsedJson::Error::kTooDeep;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    } else if (c == ':') {
      if (++keys > max_keys) return ParsedJson::Error::kTooManyKeys;
    }
  }
  return ParsedJson::Error::kNone;
}

// SAX events written back as compact JSON, in the order they come.
class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  bool null() { return Literal("null"); }
  bool boolean(bool value) { return Literal(value ? "true" : "false"); }
  bool number_integer(Json::number_integer_t value) {
    BeforeValue();
    absl::StrAppend(out_, value);
    return true;
  }
  bool number_unsigned(Json::number_unsigned_t value) {
    BeforeValue();
    absl::StrAppend(out_, value);
    return true;
  }
  bool number_float(Json::number_float_t value, const Json::string_t& /*text*/) {
    BeforeValue();
    out_->append(Json(value).dump());
    return true;
  }
  bool string(Json::string_t& value) {
    BeforeValue();
    AppendJsonString(out_, value);
    return true;
  }
  bool binary(Json::binary_t& /*value*/) { return false; }
  bool start_object(std::size_t /*size*/) { return Open('{'); }
  bool key(Json::string_t& key) {
    if (!first_.back()) out_->push_back(',');
    first_.back() = false;
    AppendJsonString(out_, key);
    out_->push_back(':');
    after_key_ = true;
    return true;
  }
  bool end_object() { return Close('}'); }
  bool start_array(std::size_t /*size*/) { return Open('['); }
  bool end_array() { return Close(']'); }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
  }

 private:
  // An object member's comma came with its key; an array element needs one after the
  // first.
  void BeforeValue() {
    if (after_key_) {
      after_key_ = false;
    } else if (!first_.empty()) {
      if (!first_.back()) out_->push_back(',');
      first_.back() = false;
    }
  }
  bool Literal(std::string_view text) {
    BeforeValue();
    out_->append(text);
    return true;
  }
  bool Open(char bracket) {
    BeforeValue();
    out_->push_back(bracket);
    first_.push_back(true);
    return true;
  }
  bool Close(char bracket) {
    out_->push_back(bracket);
    first_.pop_back();
    return true;
  }

  std::string* const out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

// Parser messages can quote a whole (huge) token; keep them readable.
std::string ShortDetail(std::string_view what) {
  constexpr std::size_t kMaxDetail = 300;
  if (what.size() <= kMaxDetail) return SanitizeUtf8(what);
  return SanitizeUtf8(what.substr(0, kMaxDetail)) + "…";
}

// Largest magnitude a double holds exactly as an integer.
constexpr double kMaxExactDouble = 9007199254740992.0;

}  // namespace

ParsedJson ParseJson(std::string_view text, std::size_t max_depth, std::size_t max_keys) {
  ParsedJson parsed;
  parsed.error = ScanShape(text, max_depth, max_keys);
  if (parsed.error == ParsedJson::Error::kTooDeep) {
    parsed.detail = absl::StrCat("JSON nests deeper than ", max_depth, " levels");
    return parsed;
  }
  if (parsed.error == ParsedJson::Error::kTooManyKeys) {
    parsed.detail = absl::StrCat("JSON has more than ", max_keys, " object keys");
    return parsed;
  }
  try {
    parsed.value = Json::parse(text.begin(), text.end());
  } catch (const std::exception& error) {
    parsed.error = ParsedJson::Error::kInvalid;
    parsed.detail = ShortDetail(error.what());
    parsed.value = nullptr;
  }
  return parsed;
}

std::string CompactJson(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  CompactWriter writer(&out);
  Json::sax_parse(text.begin(), text.end(), &writer);
  return out;
}

std::string AsText(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      return "";
    case Json::value_t::string:
      return SanitizeUtf8(value.get_ref<const std::string&>());
    default:
      return value.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

std::string TextField(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? std::string() : AsText(*it);
}

std::optional<int64_t> AsInt64(const Json& value) {
  switch (value.type()) {
    case Json::value_t::number_integer:
      return value.get<int64_t>();
    case Json::value_t::number_unsigned: {
      const uint64_t number = value.get<uint64_t>();
      if (number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<int64_t>(number);
    }
    case Json::value_t::number_float: {
      const double number = value.get<double>();
      if (std::trunc(number) != number || std::fabs(number) > kMaxExactDouble) {
        return std::nullopt;
      }
      return static_cast<int64_t>(number);
    }
    case Json::value_t::string: {
      int64_t number = 0;
      if (!absl::SimpleAtoi(value.get_ref<const std::string&>(), &number)) {
        return std::nullopt;
      }
      return number;
    }
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> Int64Field(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  return AsInt64(*it);
}

std::optional<int32_t> Int32Field(const Json& object, const char* key) {
  const std::optional<int64_t> number = Int64Field(object, key);
  if (!number || *number < std::numeric_limits<int32_t>::min() ||
      *number > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int32_t>(*number);
}

}  // namespace wxbridge::protocol
