#include "tests/soak/soak_subscriber.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace wxbridge::soak {
namespace {

constexpr std::size_t kProblemsKept = 20;

}  // namespace

SoakSubscriber::SoakSubscriber(int id, v1::BridgeService::Stub* stub, SeqLedger* ledger,
                               bool cut_off, uint32_t max_batch, uint64_t seed,
                               const SoakOptions& options)
    : id_(id),
      stub_(stub),
      ledger_(ledger),
      cut_off_(cut_off),
      max_batch_(max_batch),
      options_(options),
      rng_(seed) {}

SoakSubscriber::~SoakSubscriber() {
  Abandon();
  Join();
}

void SoakSubscriber::Start() {
  thread_ = std::thread([this] { Run(); });
}

void SoakSubscriber::FinishAt(uint64_t head) { finish_at_ = std::max<uint64_t>(head, 1); }

void SoakSubscriber::Abandon() {
  abandoned_ = true;
  std::lock_guard<std::mutex> lock(mutex_);
  if (context_ != nullptr) context_->TryCancel();
}

void SoakSubscriber::Join() {
  if (thread_.joinable()) thread_.join();
}

SubscriberStats SoakSubscriber::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

bool SoakSubscriber::Reached() const {
  const uint64_t head = finish_at_;
  if (head == 0) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_.next_seq > head;
}

void SoakSubscriber::Problem(std::string what) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stats_.problems.size() < kProblemsKept) {
    stats_.problems.push_back(absl::StrCat("subscriber ", id_, ": ", what));
  }
}

void SoakSubscriber::Run() {
  bool first = true;
  while (!Reached() && !abandoned_) {
    if (!first) {
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.resumes;
    }
    first = false;
    ReadOneStream();
    if (cut_off_ && finish_at_ == 0) {
      // Stay away a while, so that the ring may drop what this subscriber has not read.
      std::uniform_int_distribution<int> away(0, 1500);
      std::this_thread::sleep_for(milliseconds(away(rng_)));
    }
  }
  done_ = true;
}

void SoakSubscriber::ReadOneStream() {
  v1::SubscribeRequest request;
  uint64_t next;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    next = stats_.next_seq;
  }
  request.set_after_seq(next - 1);
  request.mutable_heartbeat_interval()->set_nanos(300 * 1000 * 1000);
  request.set_max_batch(max_batch_);
  grpc::ClientContext context;
  if (cut_off_ && finish_at_ == 0) {
    std::uniform_int_distribution<int> life(300, 3000);
    context.set_deadline(std::chrono::system_clock::now() + milliseconds(life(rng_)));
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    context_ = &context;
  }
  if (abandoned_) context.TryCancel();
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      stub_->Subscribe(&context, request);
  v1::SubscribeResponse message;
  bool hello_seen = false;
  while (reader->Read(&message)) {
    if (!hello_seen) {
      hello_seen = true;
      if (!message.has_hello()) Problem("a stream did not begin with a hello");
      if (message.hello().head_seq() + 1 < next) {
        Problem(absl::StrCat("hello head_seq ", message.hello().head_seq(), " is behind seq ",
                             next - 1, " already read"));
      }
      continue;
    }
    switch (message.message_case()) {
      case v1::SubscribeResponse::kEvent:
        OnEvent(message.event());
        break;
      case v1::SubscribeResponse::kBatch:
        for (const v1::Event& event : message.batch().events()) OnEvent(event);
        break;
      case v1::SubscribeResponse::kGap:
        OnGap(message.gap());
        break;
      case v1::SubscribeResponse::kHeartbeat:
        break;
      default:
        Problem(absl::StrCat("unexpected message: ", message.ShortDebugString()));
    }
    if (Reached()) context.TryCancel();
  }
  const grpc::Status status = reader->Finish();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    context_ = nullptr;
  }
  const bool ours = status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                    status.error_code() == grpc::StatusCode::CANCELLED;
  if (!ours && !abandoned_) {
    Problem(absl::StrCat("stream ended ", status.error_code(), ": ", status.error_message()));
    std::this_thread::sleep_for(milliseconds(50));  // no busy loop on a refusing bridge
  }
}

void SoakSubscriber::OnEvent(const v1::Event& event) {
  const uint64_t seq = event.seq();
  uint64_t expected;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    expected = stats_.next_seq;
    ++stats_.deliveries;
    stats_.next_seq = std::max(expected, seq + 1);
  }
  if (seq < expected) {
    Problem(absl::StrCat("seq ", seq, " delivered again (expected ", expected, ")"));
  } else if (seq > expected) {
    Problem(absl::StrCat("seqs ", expected, "..", seq - 1, " skipped without a gap"));
  }
  std::string why;
  if (!ledger_->Record(event, &why)) Problem(why);
}

void SoakSubscriber::OnGap(const v1::Gap& gap) {
  uint64_t expected;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    expected = stats_.next_seq;
    ++stats_.gaps;
    if (gap.first_available_seq() > expected) {
      stats_.missed += gap.first_available_seq() - expected;
    }
    stats_.next_seq = std::max(expected, gap.first_available_seq());
  }
  if (gap.first_missing_seq() != expected || gap.first_available_seq() <= expected) {
    Problem(absl::StrCat("gap [", gap.first_missing_seq(), ", ", gap.first_available_seq(),
                         ") does not begin at the expected seq ", expected));
  }
  // A real gap: the ring no longer holds what it says is missing (the ring only moves on).
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.Scaled(milliseconds(10000)));
  v1::GetStatusResponse status;
  if (stub_->GetStatus(&context, v1::GetStatusRequest(), &status).ok() &&
      status.oldest_seq() < gap.first_available_seq()) {
    Problem(absl::StrCat("gap up to seq ", gap.first_available_seq(), " but the ring holds seq ",
                         status.oldest_seq()));
  }
}

}  // namespace wxbridge::soak
