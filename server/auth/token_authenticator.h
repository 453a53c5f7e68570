// Who is calling: the bearer token of a request, looked up by its SHA-256 among the
// tokens file's entries (compared in constant time), as the Grant it carries. The
// entries are swapped whole on Reload (SIGHUP); calls in flight keep the grant they had.
#ifndef WXBRIDGE_SERVER_AUTH_TOKEN_AUTHENTICATOR_H_
#define WXBRIDGE_SERVER_AUTH_TOKEN_AUTHENTICATOR_H_

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "server/auth/grant.h"
#include "server/auth/token_file.h"

namespace wxbridge::auth {

// The gRPC metadata key that carries "Bearer <token>".
inline constexpr char kAuthorizationKey[] = "authorization";

class TokenAuthenticator {
 public:
  // Empty `tokens_file`: every caller gets the open grant (all accounts and methods).
  // `known_methods` are the method names a tokens file may list.
  TokenAuthenticator(std::string tokens_file, std::set<std::string> known_methods);

  bool enabled() const { return !tokens_file_.empty(); }
  // Reads the tokens file; on error the entries in use stay. Call once before serving.
  absl::Status Load();
  // Load(), logged: how many tokens now, or why the old ones stay.
  void Reload();

  // The grant for `authorization` (the header's value, or empty when absent):
  // UNAUTHENTICATED when tokens are enabled and it is missing, malformed or unknown.
  absl::StatusOr<std::shared_ptr<const Grant>> Authenticate(std::string_view authorization) const;

 private:
  using Entries = std::vector<TokenEntry>;

  const std::string tokens_file_;
  const std::set<std::string> known_methods_;
  const std::shared_ptr<const Grant> open_grant_;
  mutable std::mutex mu_;
  std::shared_ptr<const Entries> entries_;  // guarded by mu_; never null
};

// SHA-256 of `data`.
Sha256Digest Sha256(std::string_view data);

}  // namespace wxbridge::auth

#endif  // WXBRIDGE_SERVER_AUTH_TOKEN_AUTHENTICATOR_H_
