#include "server/cluster/event_subjects.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace wxbridge::cluster {
namespace {

constexpr std::size_t kMaxClusterName = 64;
constexpr absl::string_view kKindPrefix = "EVENT_KIND_";

bool ClusterNameChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; }

}  // namespace

absl::Status ValidateClusterName(absl::string_view cluster) {
  if (cluster.empty() || cluster.size() > kMaxClusterName) {
    return absl::InvalidArgumentError(
        absl::StrCat("cluster name must be 1 to ", kMaxClusterName, " characters"));
  }
  for (char c : cluster) {
    if (!ClusterNameChar(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cluster name \"", cluster, "\" may only hold letters, digits, '-' and '_'"));
    }
  }
  return absl::OkStatus();
}

std::string StreamName(absl::string_view cluster) { return absl::StrCat("WXBRIDGE_", cluster); }

std::string StreamSubjects(absl::string_view cluster) {
  return absl::StrCat("wxbridge.", cluster, ".ev.>");
}

std::string SubjectToken(absl::string_view text) {
  if (text.empty()) return kNoAccountToken;
  std::string token(text);
  for (char& c : token) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '.' || c == '*' || c == '>' || byte <= 0x20 || byte == 0x7f) c = '_';
  }
  return token;
}

std::string EventSubject(absl::string_view cluster, absl::string_view account,
                         wxbridge::v1::EventKind kind) {
  std::string kind_name = wxbridge::v1::EventKind_Name(kind);
  if (absl::StartsWith(kind_name, kKindPrefix)) kind_name.erase(0, kKindPrefix.size());
  if (kind_name.empty()) kind_name = absl::StrCat(static_cast<int>(kind));
  return absl::StrCat("wxbridge.", cluster, ".ev.", SubjectToken(account), ".",
                      absl::AsciiStrToLower(kind_name));
}

}  // namespace wxbridge::cluster
