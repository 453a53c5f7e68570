// The tokens file (--tokens_file): which bearer tokens exist and what each may do. Only
// SHA-256 hashes of the tokens are stored, so the file itself grants nothing if read.
//
//   {"tokens": [{"name": "billing", "sha256": "<64 hex digits>",
//                "accounts": ["alice"], "methods": ["SendText", "Subscribe"]}]}
#ifndef WXBRIDGE_SERVER_AUTH_TOKEN_FILE_H_
#define WXBRIDGE_SERVER_AUTH_TOKEN_FILE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "server/auth/grant.h"

namespace wxbridge::auth {

using Sha256Digest = std::array<uint8_t, 32>;

struct TokenEntry {
  Sha256Digest sha256;
  std::shared_ptr<const Grant> grant;
};

// The parsed entries, or INVALID_ARGUMENT naming the entry and what is wrong with it: not
// JSON, no "tokens" array, a missing or duplicate name, a hash that is not 64 hex digits
// or repeats another, empty "accounts" or "methods", a method not in `known_methods`
// ("*" allowed), an unknown key (a typo must not widen or narrow a scope silently).
absl::StatusOr<std::vector<TokenEntry>> ParseTokensFile(std::string_view json,
                                                        const std::set<std::string>& known_methods);

// Reads and parses `path`; errors name the path.
absl::StatusOr<std::vector<TokenEntry>> LoadTokensFile(const std::string& path,
                                                       const std::set<std::string>& known_methods);

}  // namespace wxbridge::auth

#endif  // WXBRIDGE_SERVER_AUTH_TOKEN_FILE_H_
