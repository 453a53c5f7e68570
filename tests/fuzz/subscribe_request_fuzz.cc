// Fuzz target for Subscribe request parsing: a serialized SubscribeRequest, as gRPC hands
// it to the bridge. Parsing either refuses it or yields bounded parameters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "google/protobuf/stubs/logging.h"
#include "server/rpc/subscribe_request.h"

namespace {

// protobuf logs a line for every string field with invalid UTF-8 it refuses to parse;
// at fuzzing rates that is most of the run's time.
const google::protobuf::LogSilencer kQuietProtobuf;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wxbridge::v1::SubscribeRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  const wxbridge::rpc::SubscribeOptions options;  // the flags' defaults
  wxbridge::rpc::SubscribeParams params;
  const grpc::Status status =
      wxbridge::rpc::ParseSubscribeRequest(request, options, *wxbridge::auth::OpenGrant(), &params);
  if (!status.ok()) return 0;
  if (params.heartbeat < options.min_heartbeat || params.heartbeat > options.max_heartbeat) {
    std::abort();
  }
  if (params.max_batch < 1) std::abort();
  return 0;
}
