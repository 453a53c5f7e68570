#include "server/protocol/base64.h"

#include <array>
#include <cstdint>

namespace wxbridge::protocol {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr int8_t kInvalid = -1;
constexpr int8_t kSkip = -2;

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  for (char space : {' ', '\t', '\n', '\r', '\f', '\v'}) {
    table[static_cast<uint8_t>(space)] = kSkip;
  }
  return table;
}
constexpr std::array<int8_t, 256> kDecodeTable = MakeDecodeTable();

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto at = [&](std::size_t k) {
    return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += kAlphabet[group >> 6 & 63];
    out += kAlphabet[group & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    const uint32_t group = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += rest == 2 ? kAlphabet[group >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  uint32_t group = 0;
  int sextets = 0;  // in the current group of four
  int padding = 0;  // '=' seen; only whitespace and more '=' may follow
  for (const char c : text) {
    const int8_t value = kDecodeTable[static_cast<uint8_t>(c)];
    if (value == kSkip) continue;
    if (c == '=') {
      if (++padding > 2) return std::nullopt;
      continue;
    }
    if (value == kInvalid || padding > 0) return std::nullopt;
    group = group << 6 | static_cast<uint32_t>(value);
    if (++sextets == 4) {
      out += static_cast<char>(group >> 16 & 0xFF);
      out += static_cast<char>(group >> 8 & 0xFF);
      out += static_cast<char>(group & 0xFF);
      group = 0;
      sextets = 0;
    }
  }
  // A lone sextet cannot carry a byte; padding, when present, must complete the
  // group.
  if (sextets == 1) return std::nullopt;
  if (padding > 0 && sextets + padding != 4) return std::nullopt;
  if (sextets == 2) {
    out += static_cast<char>(group >> 4 & 0xFF);
  } else if (sextets == 3) {
    out += static_cast<char>(group >> 10 & 0xFF);
    out += static_cast<char>(group >> 2 & 0xFF);
  }
  return out;
}

}  // namespace wxbridge::protocol
