#include "server/sim/sim_ids.h"

#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wxbridge::sim {

uint64_t StableHash(std::string_view text, uint64_t seed) {
  uint64_t hash = 14695981039346656037ull ^ seed;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string HexOf(std::string_view text, std::size_t digits) {
  std::string out;
  for (uint64_t round = 0; out.size() < digits; ++round) {
    absl::StrAppend(&out, absl::Hex(StableHash(text, round), absl::kZeroPad16));
  }
  out.resize(digits);
  return out;
}

std::string WxIdForAccount(const std::string &account) {
  return absl::StrCat("wxid_", HexOf(account, 12));
}

std::string FriendWxId(const std::string &owner_wx_id, int n) {
  return absl::StrCat(owner_wx_id, "f", n);
}

std::string NickNameForAccount(const std::string &account) { return absl::StrCat("模拟", account); }

std::string SharedGroupWxId() { return "10000001@chatroom"; }
std::string SharedGroupOwnerWxId() { return "wxid_simgroupowner"; }

std::string OwnedGroupWxIdFor(const std::string &account) {
  // 10 digits, never colliding with the shared group's 8.
  return absl::StrCat(2000000000 + StableHash(account, 7) % 7000000000ull, "@chatroom");
}

std::string OfficialAccountWxId() { return "gh_617881e09fd7"; }
std::string SpecialAccountWxId() { return "medianote"; }
std::string CustomIdPersonWxId() { return "qq512436430"; }

bool IsNumericAccount(std::string_view account) {
  if (account.empty() || account.size() > 19) return false;
  if (account.size() > 1 && account.front() == '0') return false;
  for (char c : account) {
    if (c < '0' || c > '9') return false;
  }
  int64_t value;
  return absl::SimpleAtoi(absl::string_view(account.data(), account.size()), &value);
}

}  // namespace wxbridge::sim
