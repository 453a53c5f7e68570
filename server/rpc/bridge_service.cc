#include "server/rpc/bridge_service.h"

#include <atomic>
#include <optional>

#include "google/protobuf/descriptor.h"
#include "server/rpc/call_access.h"
#include "server/rpc/status_mapping.h"

namespace wxbridge::rpc {
namespace {

using std::chrono::milliseconds;

// One unary command RPC. It ends when its call does; a client that cancels (or whose
// deadline passes) ends the call at once, so its frame is never written afterwards.
// Freed when both gRPC (OnDone) and the handler (Begin) are finished with it: the call
// may end, and gRPC finish the RPC, before Run has even returned its id.
class CommandReactor final : public grpc::ServerUnaryReactor {
 public:
  CommandReactor(CommandCore* core, grpc::ByteBuffer* answer) : core_(core), answer_(answer) {}

  // The call's id, once Run has returned it.
  void Begin(uint64_t request_id) {
    request_id_ = request_id;
    if (cancelled_) core_->Cancel(request_id);
    Release();
  }
  // Ends the RPC; on OK with `response` as the answer. Called once.
  void Complete(const absl::Status& status, const google::protobuf::MessageLite* response) {
    if (status.ok()) *answer_ = SerializeMessage(*response);
    Finish(ToGrpcStatus(status));
  }
  void OnCancel() override {
    cancelled_ = true;
    if (const uint64_t id = request_id_.load()) core_->Cancel(id);
  }
  void OnDone() override { Release(); }

 private:
  void Release() {
    if (--references_ == 0) delete this;
  }

  CommandCore* const core_;
  grpc::ByteBuffer* const answer_;  // gRPC's, valid until OnDone
  std::atomic<uint64_t> request_id_{0};
  std::atomic<bool> cancelled_{false};
  std::atomic<int> references_{2};
};

// What the client's deadline leaves, or nullopt when it set none (which arrives as a
// far-future time point).
std::optional<milliseconds> Remaining(const grpc::CallbackServerContext& context) {
  const auto now = std::chrono::system_clock::now();
  const auto deadline = context.deadline();
  if (deadline >= now + std::chrono::hours(24 * 365)) return std::nullopt;
  return std::chrono::duration_cast<milliseconds>(deadline - now);
}

}  // namespace

BridgeServiceImpl::BridgeServiceImpl(CommandCore* core, SubscriberRegistry* subscribers,
                                     SubscribeOptions subscribe_options)
    : core_(core), subscribers_(subscribers), subscribe_options_(std::move(subscribe_options)) {
  subscribe_options_.parser = &core_->parser();
}

std::set<std::string> BridgeServiceImpl::MethodNames() {
  std::set<std::string> names;
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::BridgeService::service_full_name());
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
    names.insert(service->method(i)->name());
  }
  return names;
}

template <typename Method>
grpc::ServerUnaryReactor* BridgeServiceImpl::Serve(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* request,
                                                   grpc::ByteBuffer* response) {
  auto* reactor = new CommandReactor(core_, response);
  const std::string peer = context->peer();
  reactor->Begin(core_->Run<Method>(
      Caller{AuthorizationHeader(*context), peer},
      [this, request](typename Method::Request* parsed) {
        return core_->parser().Parse(*request, parsed);
      },
      core_->Deadline(Remaining(*context)),
      [reactor](const absl::Status& status, typename Method::Response* answer) {
        reactor->Complete(status, answer);
      }));
  return reactor;
}

#define WXBRIDGE_SERVE(Name)                                                              \
  grpc::ServerUnaryReactor* BridgeServiceImpl::Name(grpc::CallbackServerContext* context, \
                                                    const grpc::ByteBuffer* request,      \
                                                    grpc::ByteBuffer* response) {         \
    return Serve<Name##Method>(context, request, response);                               \
  }
WXBRIDGE_SERVE(Login)
WXBRIDGE_SERVE(Logout)
WXBRIDGE_SERVE(SendText)
WXBRIDGE_SERVE(SendLink)
WXBRIDGE_SERVE(KickGroupMember)
WXBRIDGE_SERVE(GetContacts)
WXBRIDGE_SERVE(AcceptFriend)
WXBRIDGE_SERVE(InviteToGroup)
WXBRIDGE_SERVE(SendImage)
WXBRIDGE_SERVE(AddFriend)
WXBRIDGE_SERVE(SendRaw)
#undef WXBRIDGE_SERVE

grpc::ServerWriteReactor<grpc::ByteBuffer>* BridgeServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  std::string token = "-";
  absl::StatusOr<std::shared_ptr<const auth::Grant>> grant =
      core_->Authorize(AuthorizationHeader(*context), "Subscribe", &token);
  if (!grant.ok()) {
    LogRefusedRead("Subscribe", token, context->peer(), grant.status());
    return FinishedStream(ToGrpcStatus(grant.status()));
  }
  return StartSubscribe(context, request, subscribe_options_, subscribers_, **grant);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::GetStatus(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::GetStatusResponse status;
  const std::string peer = context->peer();
  const absl::Status result = core_->GetStatus(
      Caller{AuthorizationHeader(*context), peer},
      [this, request](v1::GetStatusRequest* parsed) {
        return core_->parser().Parse(*request, parsed);
      },
      &status);
  if (result.ok()) *response = SerializeMessage(status);
  reactor->Finish(ToGrpcStatus(result));
  return reactor;
}

}  // namespace wxbridge::rpc
