#include "server/rpc/status_mapping.h"

#include <string>

namespace wxbridge::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl::StatusCode and grpc::StatusCode share the canonical numbering (0..16), and
  // absl::Status already folds any other value into kUnknown.
  const auto grpc_code = static_cast<grpc::StatusCode>(static_cast<int>(status.code()));
  return grpc::Status(grpc_code, std::string(status.message()));
}

}  // namespace wxbridge::rpc
