// The bridge's service, whatever transport carries it: who may call what, each command
// run through the GatewayLink and filled from its completing events, GetStatus, and call
// deadlines. The gRPC service (bridge_service.h) and the HTTP/JSON API (server/http/)
// only turn their bytes into requests and the results back into bytes.
#ifndef WXBRIDGE_SERVER_RPC_COMMAND_CORE_H_
#define WXBRIDGE_SERVER_RPC_COMMAND_CORE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "server/auth/token_authenticator.h"
#include "server/bridge/gateway_link.h"
#include "server/common/limits.h"
#include "server/events/event_store.h"
#include "server/protocol/request_limits.h"
#include "server/rpc/command_methods.h"
#include "server/rpc/raw_message.h"
#include "server/rpc/subscriber_registry.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::rpc {

struct ServiceOptions {
  // Applied when the caller sets no deadline.
  std::chrono::milliseconds default_call_timeout{30000};
  // A longer deadline (a client may ask for a year) is clamped to this.
  std::chrono::milliseconds max_call_timeout = kDefaultMaxCallTimeout;
  // What a command request may hold; a request over a limit is refused INVALID_ARGUMENT.
  protocol::RequestLimits limits;
  // Largest upstream frame; a SendImage whose frame would be larger is refused with
  // RESOURCE_EXHAUSTED before anything is sent.
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  bool embedded_simulator = false;
  std::string bridge_version;
  // Where commands run instead of the link (cluster mode: the call forwarder); null: the
  // link itself.
  calls::CommandExecutor* executor = nullptr;
  // Fills GetStatus's cluster part (cluster mode); null: role STANDALONE.
  std::function<void(v1::ClusterStatus*)> cluster_status;
};

// Who is calling, as the transport saw it.
struct Caller {
  std::string_view authorization;  // the Authorization header's value, or empty
  std::string_view peer;           // the caller's address, for the audit line
};

class CommandCore {
 public:
  using Clock = bridge::GatewayLink::Clock;
  // A call's end: its status and, when OK, its response (valid during the call only).
  template <typename Response>
  using Done = std::function<void(const absl::Status&, Response*)>;
  // Fills the request from the transport's bytes; an error refuses the call.
  template <typename Request>
  using Parse = absl::FunctionRef<absl::Status(Request*)>;

  // Every pointer outlives the core.
  CommandCore(bridge::GatewayLink* link, events::EventStore* log,
              const SubscriberRegistry* subscribers, const auth::TokenAuthenticator* authenticator,
              ServiceOptions options);

  // The caller's grant for `method`; `token_name` (when given) gets the name of a known
  // token even when the method is refused.
  absl::StatusOr<std::shared_ptr<const auth::Grant>> Authorize(
      std::string_view authorization, std::string_view method,
      std::string* token_name = nullptr) const;

  // One call of `Method` (command_methods.h): authorizes the caller, parses its request,
  // checks the request's account against the grant, builds the frame and executes it.
  // `done` runs exactly once, possibly before Run returns and on any thread; every call
  // is counted and audited. Returns the id to Cancel() the call with.
  template <typename Method>
  uint64_t Run(const Caller& caller, Parse<typename Method::Request> parse,
               Clock::time_point deadline, Done<typename Method::Response> done);
  // Ends a call early (its caller went away): its frame is never written afterwards.
  void Cancel(uint64_t request_id) { executor_->Cancel(request_id); }

  // GetStatus: the bridge's view, with only the accounts the caller's grant allows.
  // Refusals are audited.
  absl::Status GetStatus(const Caller& caller,
                         absl::FunctionRef<absl::Status(v1::GetStatusRequest*)> parse,
                         v1::GetStatusResponse* out) const;

  // When a call must end: `remaining` is what the caller allows (nullopt: no deadline,
  // the default timeout); a little is kept back so the caller gets the bridge's status
  // rather than its own timeout, and it never exceeds --max_call_timeout.
  Clock::time_point Deadline(std::optional<std::chrono::milliseconds> remaining) const;

  // Counts (and rate-limits the log lines of) requests that could not be parsed.
  RequestParser& parser() { return parser_; }
  const RequestParser& parser() const { return parser_; }
  const ServiceOptions& options() const { return options_; }

 private:
  bridge::GatewayLink* const link_;
  calls::CommandExecutor* const executor_;  // the link, or options.executor
  events::EventStore* const log_;
  const SubscriberRegistry* const subscribers_;
  const auth::TokenAuthenticator* const authenticator_;
  const ServiceOptions options_;
  RequestParser parser_;
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_COMMAND_CORE_H_
