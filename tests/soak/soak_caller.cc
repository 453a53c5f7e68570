#include "tests/soak/soak_caller.h"

#include <condition_variable>
#include <functional>
#include <memory>

#include "absl/strings/str_cat.h"
#include "client/wxclient/status_text.h"
#include "server/sim/simulator.h"

namespace wxbridge::soak {
namespace {

constexpr std::size_t kProblemsKept = 20;

// One call's state, shared with gRPC's callback so a hung call can be left behind safely.
struct PendingCall {
  grpc::ClientContext context;
  std::mutex mutex;
  std::condition_variable ended;
  bool done = false;
  grpc::Status status;
  v1::CommandAck ack;
};

// Statuses that tell a client what happened (docs: the RPC error list); anything else is
// a bridge bug leaking through.
bool IsClear(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::CANCELLED:
      return true;
    default:
      return false;
  }
}

// Starts a call of `Request`/`Response` through `method`, copying the ack out at its end.
template <class Request, class Response, class Method>
void StartCall(const std::shared_ptr<PendingCall>& call, Method method, const Request& request) {
  auto response = std::make_shared<Response>();
  auto owned_request = std::make_shared<Request>(request);
  method(&call->context, owned_request.get(), response.get(),
         [call, response, owned_request](grpc::Status status) {
           std::lock_guard<std::mutex> lock(call->mutex);
           call->status = std::move(status);
           call->ack = response->ack();
           call->done = true;
           call->ended.notify_all();
         });
}

}  // namespace

SoakCaller::SoakCaller(int id, v1::BridgeService::Stub* stub, std::vector<std::string> accounts,
                       uint64_t seed, const SoakOptions& options)
    : id_(id), stub_(stub), accounts_(std::move(accounts)), options_(options), rng_(seed) {}

SoakCaller::~SoakCaller() { Stop(); }

void SoakCaller::Start() {
  thread_ = std::thread([this] { Run(); });
}

void SoakCaller::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

CallerStats SoakCaller::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void SoakCaller::Run() {
  while (!stop_) OneCall();
}

void SoakCaller::OneCall() {
  auto pick = [this](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); };
  const std::string& from = accounts_[pick(static_cast<int>(accounts_.size()))];
  const std::string to =
      sim::Simulator::WxIdFor(accounts_[pick(static_cast<int>(accounts_.size()))]);

  // Deadlines: none (the bridge's --call_timeout), very short, short, long.
  static constexpr int kDeadlineMs[] = {0, 50, 300, 2000};
  const int deadline_ms = kDeadlineMs[pick(4)];
  const milliseconds budget = deadline_ms == 0 ? kCallTimeout : milliseconds(deadline_ms);

  auto call = std::make_shared<PendingCall>();
  if (deadline_ms != 0) {
    call->context.set_deadline(std::chrono::system_clock::now() + milliseconds(deadline_ms));
  }
  const int kind = pick(100);
  std::string what;
  if (kind < 50) {
    v1::SendTextRequest request;
    request.set_account(from);
    request.set_to_user_name(to);
    // One text in twenty is large, so that a gateway that stops reading fills the socket.
    request.set_content(pick(20) == 0 ? std::string(options_.big_text_bytes, 'x')
                                      : absl::StrCat("soak caller ", id_));
    what = "SendText";
    StartCall<v1::SendTextRequest, v1::SendTextResponse>(
        call,
        [this](auto* c, auto* q, auto* r, auto done) { stub_->async()->SendText(c, q, r, done); },
        request);
  } else if (kind < 75) {
    v1::GetContactsRequest request;
    request.set_account(from);
    request.add_wx_ids(to);
    request.add_wx_ids(sim::Simulator::SharedGroupId());
    what = "GetContacts";
    StartCall<v1::GetContactsRequest, v1::GetContactsResponse>(
        call,
        [this](auto* c, auto* q, auto* r, auto done) {
          stub_->async()->GetContacts(c, q, r, done);
        },
        request);
  } else {
    v1::SendRawRequest request;
    request.set_code(110);  // not a command the gateway knows: the simulator echoes it
    request.set_data_json(absl::StrCat("{\"account\":\"", from, "\"}"));
    what = "SendRaw";
    StartCall<v1::SendRawRequest, v1::SendRawResponse>(
        call,
        [this](auto* c, auto* q, auto* r, auto done) { stub_->async()->SendRaw(c, q, r, done); },
        request);
  }

  std::unique_lock<std::mutex> lock(call->mutex);
  const milliseconds grace = options_.Scaled(milliseconds(2000));
  const bool ended = call->ended.wait_for(lock, budget + grace, [&] { return call->done; });
  std::lock_guard<std::mutex> stats_lock(mutex_);
  ++stats_.calls;
  if (!ended) {
    ++stats_.hung;
    if (stats_.problems.size() < kProblemsKept) {
      stats_.problems.push_back(absl::StrCat("caller ", id_, ": ", what, " with deadline ",
                                             budget.count(), " ms still running after a further ",
                                             grace.count(), " ms"));
    }
    call->context.TryCancel();  // the callback still owns what it needs
    return;
  }
  const grpc::StatusCode code = call->status.error_code();
  const std::string name = client::StatusCodeName(code);
  ++stats_.by_status[name];
  stats_.example.emplace(name, call->status.error_message());
  if (!IsClear(code)) {
    ++stats_.unclear;
    if (stats_.problems.size() < kProblemsKept) {
      stats_.problems.push_back(absl::StrCat("caller ", id_, ": ", what, " ended ", name, ": ",
                                             call->status.error_message()));
    }
  }
  if (code == grpc::StatusCode::OK && call->ack.resent()) {
    ++stats_.resent;
    stats_.resent_request_ids.insert(call->ack.request_id());
  }
}

}  // namespace wxbridge::soak
