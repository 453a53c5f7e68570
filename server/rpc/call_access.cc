#include "server/rpc/call_access.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "server/auth/token_authenticator.h"
#include "server/common/log.h"
#include "server/common/log_throttle.h"

namespace wxbridge::rpc {
namespace {

std::string_view ToView(const grpc::string_ref& ref) { return {ref.data(), ref.size()}; }

}  // namespace

std::string_view AuthorizationHeader(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(auth::kAuthorizationKey);
  return it == metadata.end() ? std::string_view() : ToView(it->second);
}

bool AuditEnabled() { return GetLogLevel() <= LogLevel::kInfo; }

void LogAudit(const AuditRecord& record, const absl::Status& status) {
  if (!AuditEnabled()) return;
  static LogThrottle unauthenticated_lines(std::chrono::seconds(1));
  uint64_t held_back = 0;
  if (status.code() == absl::StatusCode::kUnauthenticated &&
      !unauthenticated_lines.Allow(&held_back)) {
    return;
  }
  // Fields, not message text: JSON logs carry each as its own key; text quotes and
  // escapes the caller-chosen ones so they cannot forge other fields.
  std::vector<LogField> fields = {
      {"token", record.token},          {"peer", record.peer},
      {"method", record.method, false}, {"account", record.account},
      {"target", record.target},        {"status", absl::StatusCodeToString(status.code()), false}};
  if (held_back > 0) fields.push_back({"more_since_last", absl::StrCat(held_back), false});
  LogLine(LogLevel::kInfo, "audit", "", fields);
}

void LogRefusedRead(std::string_view method, std::string_view token, std::string_view peer,
                    const absl::Status& status) {
  if (!AuditEnabled()) return;
  AuditRecord audit;
  audit.token = std::string(token);
  audit.method = std::string(method);
  audit.peer = std::string(peer);
  LogAudit(audit, status);
}

}  // namespace wxbridge::rpc
