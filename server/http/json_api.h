// The JSON API: every unary BridgeService method as protobuf's JSON mapping in and out
// (the field names buf curl uses), run by the same CommandCore as gRPC. No sockets here:
// the HTTP server hands in a method name and a body and gets a status and a body back.
#ifndef WXBRIDGE_SERVER_HTTP_JSON_API_H_
#define WXBRIDGE_SERVER_HTTP_JSON_API_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "server/rpc/command_core.h"

namespace wxbridge::http {

class JsonApi {
 public:
  // `core` outlives the API.
  explicit JsonApi(rpc::CommandCore* core) : core_(core) {}

  // The answer: OK and the response as JSON, or the refusal (body empty).
  using Done = std::function<void(const absl::Status& status, std::string json)>;

  // Whether `method` (e.g. "SendText") is a unary method this API serves.
  static bool Serves(std::string_view method);

  // Runs `method` with `body` (the request in JSON; empty means {}). `timeout` is what
  // the caller allows (nullopt: the bridge's default). `done` runs exactly once, possibly
  // before Call returns and on any thread. Returns the id to Cancel() the call with, or
  // 0 when it has already finished.
  uint64_t Call(std::string_view method, const rpc::Caller& caller, std::string_view body,
                std::optional<std::chrono::milliseconds> timeout, Done done);
  void Cancel(uint64_t call_id) { core_->Cancel(call_id); }

 private:
  template <typename Method>
  uint64_t Run(const rpc::Caller& caller, std::string_view body,
               std::optional<std::chrono::milliseconds> timeout, Done done);

  rpc::CommandCore* const core_;
};

}  // namespace wxbridge::http

#endif  // WXBRIDGE_SERVER_HTTP_JSON_API_H_
