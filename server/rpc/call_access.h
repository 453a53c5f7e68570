// Who a gRPC caller is (its bearer token), and the audit line each call leaves.
#ifndef WXBRIDGE_SERVER_RPC_CALL_ACCESS_H_
#define WXBRIDGE_SERVER_RPC_CALL_ACCESS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"

namespace wxbridge::rpc {

// The value of the call's "authorization" metadata (e.g. "Bearer <token>"), or empty.
std::string_view AuthorizationHeader(const grpc::ServerContextBase& context);

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

// LogAudit for a read (GetStatus, Subscribe) that was refused: reads change nothing, so
// only their refusals are audited (who tried to read).
void LogRefusedRead(std::string_view method, std::string_view token, std::string_view peer,
                    const absl::Status& status);

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_CALL_ACCESS_H_
