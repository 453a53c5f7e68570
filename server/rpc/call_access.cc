#include "server/rpc/call_access.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/log.h"
#include "server/common/log_throttle.h"

namespace wxbridge::rpc {
namespace {

std::string_view ToView(const grpc::string_ref& ref) { return {ref.data(), ref.size()}; }

}  // namespace

absl::StatusOr<std::shared_ptr<const auth::Grant>> AuthorizeCall(
    const grpc::ServerContextBase& context, const auth::TokenAuthenticator& authenticator,
    std::string_view method, std::string* token_name) {
  std::string_view header;
  const auto& metadata = context.client_metadata();
  if (const auto it = metadata.find(auth::kAuthorizationKey); it != metadata.end()) {
    header = ToView(it->second);
  }
  absl::StatusOr<std::shared_ptr<const auth::Grant>> grant = authenticator.Authenticate(header);
  if (!grant.ok()) return grant;
  if (token_name != nullptr) *token_name = (*grant)->name;
  if (absl::Status status = (*grant)->CheckMethod(method); !status.ok()) return status;
  return grant;
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

}  // namespace wxbridge::rpc
