#include "server/rpc/call_access.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/common/log.h"
#include "server/common/log_throttle.h"

namespace wxbridge::rpc {
namespace {

std::string_view ToView(const grpc::string_ref& ref) { return {ref.data(), ref.size()}; }

// A quoted, escaped value: a caller-chosen account or target cannot forge other fields.
std::string Quoted(const std::string& value) {
  return absl::StrCat("\"", absl::CHexEscape(value), "\"");
}

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
  std::string suppressed;
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    if (!unauthenticated_lines.Allow(&held_back)) return;
    if (held_back > 0) suppressed = absl::StrCat(" (", held_back, " more since the last)");
  }
  LogLine(LogLevel::kInfo, "audit",
          absl::StrCat("token=", Quoted(record.token), " peer=", Quoted(record.peer),
                       " method=", record.method, " account=", Quoted(record.account),
                       " target=", Quoted(record.target),
                       " status=", absl::StatusCodeToString(status.code()), suppressed));
}

}  // namespace wxbridge::rpc
