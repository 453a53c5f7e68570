#include "server/common/utf8.h"

#include <cstddef>
#include <cstdint>

namespace wxbridge {
namespace {

struct Sequence {
  bool valid;
  // Bytes of the valid sequence, or of the longest prefix that could have
  // started one (at least 1): each such maximal invalid prefix becomes one
  // U+FFFD.
  std::size_t length;
};

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
Sequence ReadSequence(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(at);
  if (lead < 0x80) return {true, 1};
  std::size_t needed;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 2;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 3;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return {false, 1};
  }
  for (std::size_t i = 1; i <= needed; ++i) {
    if (at + i >= text.size()) return {false, i};
    const uint8_t next = byte(at + i);
    const uint8_t min = i == 1 ? second_min : 0x80;
    const uint8_t max = i == 1 ? second_max : 0xBF;
    if (next < min || next > max) return {false, i};
  }
  return {true, needed + 1};
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    if (static_cast<uint8_t>(text[at]) < 0x80) {
      ++at;
      continue;
    }
    const Sequence sequence = ReadSequence(text, at);
    if (!sequence.valid) return false;
    at += sequence.length;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size() + 16);
  std::size_t at = 0;
  while (at < text.size()) {
    const Sequence sequence = ReadSequence(text, at);
    if (sequence.valid) {
      out.append(text.substr(at, sequence.length));
    } else {
      out.append(kReplacement);
    }
    at += sequence.length;
  }
  return out;
}

}  // namespace wxbridge
