// The gate in front of every BridgeService method: who the caller is (its bearer token)
// and whether it may call this method; then, per call, one audit line.
#ifndef WXBRIDGE_SERVER_RPC_CALL_ACCESS_H_
#define WXBRIDGE_SERVER_RPC_CALL_ACCESS_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "server/auth/grant.h"
#include "server/auth/token_authenticator.h"

namespace wxbridge::rpc {

// The caller's grant for `method`: UNAUTHENTICATED without a known token (when tokens
// are enabled), PERMISSION_DENIED when the token may not call `method`. `token_name`,
// when given, gets the name of a known token even when the method is refused.
absl::StatusOr<std::shared_ptr<const auth::Grant>> AuthorizeCall(
    const grpc::ServerContextBase& context, const auth::TokenAuthenticator& authenticator,
    std::string_view method, std::string* token_name = nullptr);

// What the audit log says about one command call. Never message content, never a token.
struct AuditRecord {
  std::string token = "-";  // the token's name
  std::string peer;         // the caller's address, as gRPC reports it
  std::string method;
  std::string account;
  std::string target;  // the user, group or contact the call acts on
};

// Whether audit lines are written now (the log level lets info through): when not, a
// call does not gather its record.
bool AuditEnabled();

// One line, component "audit", level info: token, peer, method, account, target and the
// call's final status code. Refusals for lack of a token are throttled (a flood of
// unauthenticated calls must not flood the log); everything else is always written.
void LogAudit(const AuditRecord& record, const absl::Status& status);

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_CALL_ACCESS_H_
