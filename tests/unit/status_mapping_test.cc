// The one absl -> gRPC status table: every code a bridge error can carry maps to the
// gRPC code with the same meaning, and the message a person reads survives intact.
#include "server/rpc/status_mapping.h"

#include "gtest/gtest.h"

namespace wxbridge::rpc {
namespace {

TEST(StatusMappingTest, OkIsOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok()); }

TEST(StatusMappingTest, EachBridgeErrorKeepsItsMeaningAndMessage) {
  const struct {
    absl::Status in;
    grpc::StatusCode out;
  } cases[] = {
      {absl::InvalidArgumentError("to_user_name is required"), grpc::StatusCode::INVALID_ARGUMENT},
      {absl::UnavailableError("gateway away"), grpc::StatusCode::UNAVAILABLE},
      {absl::DeadlineExceededError("no answer"), grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::UnauthenticatedError("授权码无效"), grpc::StatusCode::UNAUTHENTICATED},
      {absl::PermissionDeniedError("denied"), grpc::StatusCode::PERMISSION_DENIED},
      {absl::FailedPreconditionError("只有群主"), grpc::StatusCode::FAILED_PRECONDITION},
      {absl::ResourceExhaustedError("too big"), grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::InternalError("bug"), grpc::StatusCode::INTERNAL},
      {absl::CancelledError("gone"), grpc::StatusCode::CANCELLED},
  };
  for (const auto& c : cases) {
    grpc::Status out = ToGrpcStatus(c.in);
    EXPECT_EQ(out.error_code(), c.out) << c.in;
    EXPECT_EQ(out.error_message(), std::string(c.in.message()));
  }
}

TEST(StatusMappingTest, AnOutOfRangeCodeArrivesAsUnknown) {
  absl::Status odd(static_cast<absl::StatusCode>(99), "odd");
  EXPECT_EQ(ToGrpcStatus(odd).error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(ToGrpcStatus(odd).error_message(), "odd");
}

}  // namespace
}  // namespace wxbridge::rpc
