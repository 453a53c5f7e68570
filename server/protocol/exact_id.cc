#include "server/protocol/exact_id.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace wxbridge::protocol {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// value * 10 + digit, or nullopt past 2^64-1.
std::optional<uint64_t> AppendDigit(uint64_t value, char digit) {
  const uint64_t d = static_cast<uint64_t>(digit - '0');
  if (value > (kMax - d) / 10) return std::nullopt;
  return value * 10 + d;
}

// The end of the JSON string literal that starts at text[i] (a quote).
std::size_t SkipString(std::string_view text, std::size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

// The end of the value that starts at text[i]: a string, a number or literal, or a
// bracketed value with everything nested in it.
std::size_t SkipValue(std::string_view text, std::size_t i) {
  if (i >= text.size()) return i;
  if (text[i] == '"') return SkipString(text, i);
  if (text[i] != '{' && text[i] != '[') {
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' &&
           !absl::ascii_isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    return i;
  }
  std::size_t depth = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      i = SkipString(text, i);
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth == 0) return i + 1;
    ++i;
  }
  return i;
}

std::size_t SkipSpace(std::string_view text, std::size_t i) {
  while (i < text.size() && absl::ascii_isspace(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

}  // namespace

std::optional<uint64_t> ParseExactId(std::string_view text) {
  std::size_t i = 0;
  std::string digits;  // mantissa digits, the fraction's included
  int64_t exponent = 0;
  for (; i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i])); ++i) {
    digits += text[i];
  }
  if (digits.empty()) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    const std::size_t start = ++i;
    for (; i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i])); ++i) {
      digits += text[i];
    }
    if (i == start) return std::nullopt;
    exponent -= static_cast<int64_t>(i - start);
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    int32_t written = 0;
    std::string_view rest = text.substr(i + 1);
    if (!rest.empty() && rest.front() == '+') rest.remove_prefix(1);
    if (!absl::SimpleAtoi(absl::string_view(rest.data(), rest.size()), &written)) {
      return std::nullopt;
    }
    exponent += written;
    i = text.size();
  }
  if (i != text.size()) return std::nullopt;
  // A negative exponent may only drop zeros.
  while (exponent < 0) {
    if (digits.back() != '0') return std::nullopt;
    if (digits.size() == 1) break;  // zero, at any scale
    digits.pop_back();
    ++exponent;
  }
  exponent = std::max<int64_t>(exponent, 0);
  if (exponent > 20) {
    // Only zero survives a scale this large.
    return digits.find_first_not_of('0') == std::string::npos ? std::optional<uint64_t>(0)
                                                              : std::nullopt;
  }
  digits.append(static_cast<std::size_t>(exponent), '0');
  uint64_t value = 0;
  for (const char digit : digits) {
    const std::optional<uint64_t> next = AppendDigit(value, digit);
    if (!next) return std::nullopt;
    value = *next;
  }
  return value;
}

std::optional<std::string_view> TopLevelValueText(std::string_view object_text,
                                                  std::string_view key) {
  std::size_t i = SkipSpace(object_text, 0);
  if (i >= object_text.size() || object_text[i] != '{') return std::nullopt;
  std::optional<std::string_view> found;
  ++i;
  while (true) {
    i = SkipSpace(object_text, i);
    if (i >= object_text.size() || object_text[i] != '"') return found;
    const std::size_t key_end = SkipString(object_text, i);
    const std::string_view name = object_text.substr(i + 1, key_end - i - 2);
    i = SkipSpace(object_text, key_end);
    if (i >= object_text.size() || object_text[i] != ':') return found;
    i = SkipSpace(object_text, i + 1);
    const std::size_t value_end = SkipValue(object_text, i);
    if (name == key) found = object_text.substr(i, value_end - i);
    i = SkipSpace(object_text, value_end);
    if (i >= object_text.size() || object_text[i] != ',') return found;
    ++i;
  }
}

std::optional<uint64_t> ExactIdField(const Json& object, std::string_view object_text,
                                     const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  switch (it->type()) {
    case Json::value_t::number_unsigned:
      return it->get<uint64_t>();
    case Json::value_t::number_integer: {
      const int64_t number = it->get<int64_t>();
      if (number < 0) return std::nullopt;
      return static_cast<uint64_t>(number);
    }
    case Json::value_t::string:
      return ParseExactId(it->get_ref<const std::string&>());
    case Json::value_t::number_float: {
      const std::optional<std::string_view> text = TopLevelValueText(object_text, key);
      if (!text) return std::nullopt;
      return ParseExactId(*text);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace wxbridge::protocol
