// The names a cluster's event log has in JetStream: its stream, the subjects it binds
// and the subject of each event (wxbridge.<cluster>.ev.<account>.<kind>), so that
// tools and, later, per-account consumers can filter by subject.
#ifndef WXBRIDGE_SERVER_CLUSTER_EVENT_SUBJECTS_H_
#define WXBRIDGE_SERVER_CLUSTER_EVENT_SUBJECTS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "wxbridge/v1/events.pb.h"

namespace wxbridge::cluster {

// The token for an event without an account (bridge state changes).
inline constexpr char kNoAccountToken[] = "_";

// OK when `cluster` is usable in a stream name and a subject: 1 to 64 of letters,
// digits, '-' and '_'.
absl::Status ValidateClusterName(absl::string_view cluster);
// "WXBRIDGE_<cluster>".
std::string StreamName(absl::string_view cluster);
// "wxbridge.<cluster>.ev.>": every event of the cluster.
std::string StreamSubjects(absl::string_view cluster);
// `text` as one subject token: '.', '*', '>', whitespace and control characters become
// '_'; empty becomes kNoAccountToken.
std::string SubjectToken(absl::string_view text);
// "wxbridge.<cluster>.ev.<SubjectToken(account)>.<kind>", kind in lower case without
// its EVENT_KIND_ prefix ("text", "bridge_state").
std::string EventSubject(absl::string_view cluster, absl::string_view account,
                         wxbridge::v1::EventKind kind);

}  // namespace wxbridge::cluster

#endif  // WXBRIDGE_SERVER_CLUSTER_EVENT_SUBJECTS_H_
