#include "server/http/sse_format.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace wxbridge::http {
namespace {

// protobuf prints JSON on one line (newlines inside strings are escaped), as one SSE
// data line needs.
void AppendRecord(std::string_view name, const std::string* id,
                  const google::protobuf::Message& message, std::string* out) {
  out->append("event: ").append(name).append("\n");
  if (id != nullptr) absl::StrAppend(out, "id: ", *id, "\n");
  out->append("data: ");
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json).ok()) json = "{}";
  out->append(json);
  out->append("\n\n");
}

}  // namespace

void AppendSseHello(const v1::StreamHello& hello, std::string* out) {
  absl::StrAppend(out, "retry: ", kSseRetryMs, "\n");
  AppendRecord("hello", nullptr, hello, out);
}

void AppendSseEvent(const events::RetainedEvent& event, std::string* out) {
  v1::SubscribeResponse message;
  const grpc::Slice& wire = event.wire;
  if (!message.ParseFromArray(wire.begin(), static_cast<int>(wire.size()))) return;
  const std::string id = absl::StrCat(event.seq);
  AppendRecord("event", &id, message.event(), out);
}

void AppendSseGap(const v1::Gap& gap, std::string* out) {
  const std::string id = absl::StrCat(gap.first_available_seq() - 1);
  AppendRecord("gap", &id, gap, out);
}

void AppendSseHeartbeat(uint64_t head_seq, std::string* out) {
  absl::StrAppend(out, ": heartbeat head_seq=", head_seq, "\n\n");
}

void AppendSseEnd(const std::string& error_json, std::string* out) {
  absl::StrAppend(out, "event: end\ndata: ", error_json, "\n\n");
}

}  // namespace wxbridge::http
