// Deterministic identifiers of the simulated world: every id is derived from a
// stable hash, so tests and benchmarks can compute them without asking the
// simulator.
#ifndef WXBRIDGE_SERVER_SIM_SIM_IDS_H_
#define WXBRIDGE_SERVER_SIM_SIM_IDS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace wxbridge::sim {

// FNV-1a, 64 bit: stable across platforms and runs (std::hash is not).
uint64_t StableHash(std::string_view text, uint64_t seed = 0);
// `digits` lowercase hex digits (at most 16 per hash; longer ones chain
// hashes).
std::string HexOf(std::string_view text, std::size_t digits);

std::string WxIdForAccount(const std::string &account);
// The n-th simulated friend of the account whose wxid is `owner_wx_id`.
std::string FriendWxId(const std::string &owner_wx_id, int n);
std::string NickNameForAccount(const std::string &account);

std::string SharedGroupWxId();
std::string SharedGroupOwnerWxId();
std::string OwnedGroupWxIdFor(const std::string &account);
std::string OfficialAccountWxId();
std::string SpecialAccountWxId();
std::string CustomIdPersonWxId();

// True for all-digit text without a leading zero that fits in int64: such
// accounts travel as JSON numbers in pushes (docs/protocol.md, quirk 1).
bool IsNumericAccount(std::string_view account);

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIM_IDS_H_
