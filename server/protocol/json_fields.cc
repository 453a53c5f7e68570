#include "server/protocol/json_fields.h"

#include <cmath>
#include <exception>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/protocol/utf8.h"

namespace wxbridge::protocol {
namespace {

// Counts bracket depth outside string literals without recursion, so hostile
// nesting is refused before nlohmann (and later recursive dumps) ever see it.
bool NestsDeeperThan(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
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
      if (++depth > max_depth) return true;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return false;
}

// Parser messages can quote a whole (huge) token; keep them readable.
std::string ShortDetail(std::string_view what) {
  constexpr std::size_t kMaxDetail = 300;
  if (what.size() <= kMaxDetail) return SanitizeUtf8(what);
  return SanitizeUtf8(what.substr(0, kMaxDetail)) + "…";
}

// Largest magnitude a double holds exactly as an integer.
constexpr double kMaxExactDouble = 9007199254740992.0;

}  // namespace

ParsedJson ParseJson(std::string_view text, std::size_t max_depth) {
  ParsedJson parsed;
  if (NestsDeeperThan(text, max_depth)) {
    parsed.error = ParsedJson::Error::kTooDeep;
    parsed.detail = absl::StrCat("JSON nests deeper than ", max_depth, " levels");
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
