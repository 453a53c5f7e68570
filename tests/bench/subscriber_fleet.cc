#include "tests/bench/subscriber_fleet.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "grpcpp/support/proto_buffer_reader.h"
#include "tests/bench/grpc_load.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::bench {
namespace {

namespace v1 = ::wxbridge::v1;
using Clock = std::chrono::steady_clock;

constexpr char kSubscribeMethod[] = "/wxbridge.v1.BridgeService/Subscribe";
// The first byte of a serialized SubscribeResponse: its one oneof field's tag.
constexpr uint8_t kHelloTag = (1 << 3) | 2;
constexpr uint8_t kEventTag = (2 << 3) | 2;
constexpr uint8_t kGapTag = (4 << 3) | 2;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

uint8_t FirstByte(const grpc::ByteBuffer &buffer) {
  grpc::Slice slice;
  if (buffer.TrySingleSlice(&slice).ok()) return slice.size() ? slice.begin()[0] : 0;
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return 0;
  for (const grpc::Slice &s : slices) {
    if (s.size()) return s.begin()[0];
  }
  return 0;
}

// The simulator's send time carried by an event; 0 when absent.
int64_t SentNs(grpc::ByteBuffer *buffer) {
  v1::SubscribeResponse message;
  grpc::ProtoBufferReader reader(buffer);
  if (!message.ParseFromZeroCopyStream(&reader)) return 0;
  const std::string &raw = message.event().raw_json();
  const std::size_t at = raw.find(kSentNsMarker);
  if (at == std::string::npos) return 0;
  return std::strtoll(raw.c_str() + at + sizeof(kSentNsMarker) - 1, nullptr, 10);
}

grpc::ByteBuffer SerializedRequest() {
  grpc::ByteBuffer buffer;
  bool own = false;
  grpc::SerializationTraits<v1::SubscribeRequest>::Serialize(v1::SubscribeRequest(), &buffer, &own);
  return buffer;
}

}  // namespace

class SubscriberFleet::Reader final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  Reader(SubscriberFleet *fleet, bool stalled) : fleet_(fleet), stalled_(stalled) {}

  void Start(grpc::GenericStub *stub) {
    request_ = SerializedRequest();
    stub->PrepareBidiStreamingCall(&context_, kSubscribeMethod, grpc::StubOptions(), this);
    StartWriteLast(&request_,
                   grpc::WriteOptions());  // a server-streaming call on the wire
    StartRead(&in_);
    StartCall();
  }
  void Cancel() { context_.TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended; OnDone follows
    switch (FirstByte(in_)) {
      case kHelloTag:
        hello_.store(true, std::memory_order_release);
        if (stalled_) return;  // never read again
        break;
      case kEventTag:
        OnEvent();
        break;
      case kGapTag:
        gaps_.fetch_add(1, std::memory_order_relaxed);
        break;
      default:
        break;
    }
    StartRead(&in_);
  }
  void OnDone(const grpc::Status &) override { done_.store(true, std::memory_order_release); }

  bool hello() const { return hello_.load(std::memory_order_acquire); }
  bool done() const { return done_.load(std::memory_order_acquire); }
  uint64_t events() const { return events_.load(std::memory_order_relaxed); }
  uint64_t gaps() const { return gaps_.load(std::memory_order_relaxed); }
  int64_t last_event_ns() const { return last_event_ns_.load(std::memory_order_relaxed); }
  void ResetCounters() {
    events_.store(0, std::memory_order_relaxed);
    gaps_.store(0, std::memory_order_relaxed);
  }

 private:
  void OnEvent() {
    const int64_t now = NowNs();
    const uint64_t n = events_.fetch_add(1, std::memory_order_relaxed) + 1;
    last_event_ns_.store(now, std::memory_order_relaxed);
    if (n % static_cast<uint64_t>(fleet_->sample_every_.load(std::memory_order_relaxed))) {
      return;
    }
    if (const int64_t sent = SentNs(&in_); sent > 0) fleet_->latency_->Record(now - sent);
  }

  SubscriberFleet *const fleet_;
  const bool stalled_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer in_;
  std::atomic<bool> hello_{false}, done_{false};
  std::atomic<uint64_t> events_{0}, gaps_{0};
  std::atomic<int64_t> last_event_ns_{0};
};

SubscriberFleet::SubscriberFleet(const std::string &target, int channels)
    : target_(target), latency_(std::make_unique<LatencySamples>()) {
  for (int i = 0; i < std::max(1, channels); ++i) {
    stubs_.push_back(std::make_unique<grpc::GenericStub>(MakeChannel(target)));
  }
}

SubscriberFleet::~SubscriberFleet() { Close(); }

absl::Status SubscriberFleet::OpenOn(grpc::GenericStub *stub, bool stalled, int n,
                                     std::chrono::milliseconds timeout) {
  const std::size_t first = readers_.size();
  for (int i = 0; i < n; ++i) {
    readers_.push_back(std::make_unique<Reader>(this, stalled));
    // Round-robin over the connections unless the caller chose one.
    readers_.back()->Start(stub ? stub : stubs_[(first + i) % stubs_.size()].get());
  }
  const auto deadline = Clock::now() + timeout;
  for (std::size_t i = first; i < readers_.size(); ++i) {
    while (!readers_[i]->hello()) {
      if (readers_[i]->done() || Clock::now() > deadline) {
        return absl::UnavailableError("a Subscribe stream got no hello");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  return absl::OkStatus();
}

absl::Status SubscriberFleet::Open(int n, std::chrono::milliseconds timeout) {
  return OpenOn(nullptr, false, n, timeout);
}

absl::Status SubscriberFleet::OpenStalled(std::chrono::milliseconds timeout) {
  stalled_stub_ = std::make_unique<grpc::GenericStub>(MakeChannel(target_));
  return OpenOn(stalled_stub_.get(), true, 1, timeout);
}

void SubscriberFleet::ResetCounters(int sample_every) {
  sample_every_.store(std::max(1, sample_every));
  for (auto &reader : readers_) reader->ResetCounters();
  latency_->Reset();
}

uint64_t SubscriberFleet::events() const {
  uint64_t total = 0;
  for (const auto &reader : readers_) total += reader->events();
  return total;
}

uint64_t SubscriberFleet::gaps() const {
  uint64_t total = 0;
  for (const auto &reader : readers_) total += reader->gaps();
  return total;
}

Clock::time_point SubscriberFleet::WaitForEvents(uint64_t n, std::chrono::milliseconds idle) {
  uint64_t seen = events();
  auto last_change = Clock::now();
  while (seen < n && Clock::now() - last_change < idle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (const uint64_t now_seen = events(); now_seen != seen) {
      seen = now_seen;
      last_change = Clock::now();
    }
  }
  int64_t last_ns = 0;
  for (const auto &reader : readers_) last_ns = std::max(last_ns, reader->last_event_ns());
  return Clock::time_point(std::chrono::nanoseconds(last_ns));
}

void SubscriberFleet::Close() {
  for (auto &reader : readers_) reader->Cancel();
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (auto &reader : readers_) {
    while (!reader->done() && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  readers_.clear();
}

}  // namespace wxbridge::bench
