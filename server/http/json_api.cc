#include "server/http/json_api.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace wxbridge::http {
namespace {

namespace util = google::protobuf::util;

// `body` into `message`; INVALID_ARGUMENT naming the type and what protobuf found wrong
// (a malformed document, an unknown field, a value of the wrong type).
absl::Status ParseJson(std::string_view body, google::protobuf::Message* message) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return absl::OkStatus();
  util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field must not be silently dropped
  const auto status = util::JsonStringToMessage(std::string(body), message, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("the body is not a ",
                                                 message->GetDescriptor()->full_name(),
                                                 " in JSON: ", std::string(status.message())));
}

absl::StatusOr<std::string> PrintJson(const google::protobuf::Message& message) {
  std::string out;
  const auto status = util::MessageToJsonString(message, &out, util::JsonPrintOptions());
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print the answer as JSON: ", std::string(status.message())));
  }
  return out;
}

// The unary methods by name: each runs its own Method's typed path.
using Runner = uint64_t (JsonApi::*)(const rpc::Caller&, std::string_view,
                                     std::optional<std::chrono::milliseconds>, JsonApi::Done);

}  // namespace

bool JsonApi::Serves(std::string_view method) {
  bool found = method == "GetStatus";
  rpc::ForEachCommandMethod([&](auto m) { found = found || method == decltype(m)::kName; });
  return found;
}

template <typename Method>
uint64_t JsonApi::Run(const rpc::Caller& caller, std::string_view body,
                      std::optional<std::chrono::milliseconds> timeout, Done done) {
  return core_->Run<Method>(
      caller, [body](typename Method::Request* request) { return ParseJson(body, request); },
      core_->Deadline(timeout),
      [done = std::move(done)](const absl::Status& status, typename Method::Response* response) {
        if (!status.ok()) {
          done(status, "");
          return;
        }
        absl::StatusOr<std::string> json = PrintJson(*response);
        done(json.status(), json.ok() ? std::move(*json) : std::string());
      });
}

uint64_t JsonApi::Call(std::string_view method, const rpc::Caller& caller, std::string_view body,
                       std::optional<std::chrono::milliseconds> timeout, Done done) {
  if (method == "GetStatus") {
    v1::GetStatusResponse response;
    absl::Status status = core_->GetStatus(
        caller, [body](v1::GetStatusRequest* request) { return ParseJson(body, request); },
        &response);
    absl::StatusOr<std::string> json =
        status.ok() ? PrintJson(response) : absl::StatusOr<std::string>(std::move(status));
    done(json.status(), json.ok() ? std::move(*json) : std::string());
    return 0;
  }
  Runner runner = nullptr;
  rpc::ForEachCommandMethod([&](auto m) {
    using Method = decltype(m);
    if (method == Method::kName) runner = &JsonApi::Run<Method>;
  });
  if (runner == nullptr) {
    done(absl::NotFoundError(absl::StrCat("no method \"", std::string(method.substr(0, 64)),
                                          "\": POST /v1/<Method> takes a unary method of "
                                          "wxbridge.v1.BridgeService, e.g. /v1/SendText")),
         "");
    return 0;
  }
  return (this->*runner)(caller, body, timeout, std::move(done));
}

}  // namespace wxbridge::http
