// The one place where absl::Status becomes grpc::Status (codes map one to one; the
// message is kept as written for a person to act on).
#ifndef WXBRIDGE_SERVER_RPC_STATUS_MAPPING_H_
#define WXBRIDGE_SERVER_RPC_STATUS_MAPPING_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace wxbridge::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_STATUS_MAPPING_H_
