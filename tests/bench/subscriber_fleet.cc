#include "tests/bench/subscriber_fleet.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <thread>
#include <utility>

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
constexpr uint8_t kBatchTag = (5 << 3) | 2;

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
int64_t SentNs(const v1::Event &event) {
  const std::string &raw = event.raw_json();
  const std::size_t at = raw.find(kSentNsMarker);
  if (at == std::string::npos) return 0;
  return std::strtoll(raw.c_str() + at + sizeof(kSentNsMarker) - 1, nullptr, 10);
}

// Reads a message's bytes across its slices without copying them: varints and skips
// are all a reader of entries needs.
class SliceCursor {
 public:
  explicit SliceCursor(const grpc::ByteBuffer &buffer) { (void)buffer.Dump(&slices_); }
  bool ReadVarint(uint64_t *value) {
    *value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t byte = 0;
      if (!ReadByte(&byte)) return false;
      *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool Skip(uint64_t n) {
    while (n > 0) {
      if (!Fill()) return false;
      const uint64_t step = std::min<uint64_t>(n, slices_[slice_].size() - offset_);
      offset_ += step;
      n -= step;
    }
    return true;
  }
  bool Read(uint64_t n, std::string *out) {
    out->clear();
    while (out->size() < n) {
      if (!Fill()) return false;
      const grpc::Slice &slice = slices_[slice_];
      const std::size_t step = std::min<std::size_t>(n - out->size(), slice.size() - offset_);
      out->append(reinterpret_cast<const char *>(slice.begin()) + offset_, step);
      offset_ += step;
    }
    return true;
  }

 private:
  bool Fill() {  // moves to a slice with bytes left; false at the end
    while (slice_ < slices_.size() && offset_ == slices_[slice_].size()) {
      ++slice_;
      offset_ = 0;
    }
    return slice_ < slices_.size();
  }
  bool ReadByte(uint8_t *byte) {
    if (!Fill()) return false;
    *byte = slices_[slice_].begin()[offset_++];
    return true;
  }

  std::vector<grpc::Slice> slices_;
  std::size_t slice_ = 0;
  std::size_t offset_ = 0;
};

// What one event message or batch holds, read without parsing the events, except the
// one at `sample` (when there is one), whose send time is taken.
struct MessageEvents {
  int count = 0;
  int64_t sample_sent_ns = 0;
};

MessageEvents ReadEvents(const grpc::ByteBuffer &buffer, int sample) {
  MessageEvents out;
  SliceCursor in(buffer);
  uint64_t tag = 0, length = 0;
  if (!in.ReadVarint(&tag)) return out;
  // A single event's message is one entry; a batch's entries follow its header.
  if (tag == kBatchTag && !(in.ReadVarint(&length) && in.ReadVarint(&tag))) return out;
  do {
    if (tag != kEventTag || !in.ReadVarint(&length)) break;
    if (out.count++ == sample) {
      std::string bytes;
      v1::Event event;
      if (!in.Read(length, &bytes)) break;
      if (event.ParseFromString(bytes)) out.sample_sent_ns = SentNs(event);
    } else if (!in.Skip(length)) {
      break;
    }
  } while (in.ReadVarint(&tag));
  return out;
}

grpc::ByteBuffer SerializedRequest(int max_batch) {
  v1::SubscribeRequest request;
  request.set_max_batch(static_cast<uint32_t>(max_batch));
  grpc::ByteBuffer buffer;
  bool own = false;
  grpc::SerializationTraits<v1::SubscribeRequest>::Serialize(request, &buffer, &own);
  return buffer;
}

}  // namespace

class SubscriberFleet::Reader final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  Reader(SubscriberFleet *fleet, bool stalled) : fleet_(fleet), stalled_(stalled) {}

  void Start(grpc::GenericStub *stub) {
    request_ = SerializedRequest(fleet_->max_batch_);
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
      case kBatchTag:
        OnEvents();
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

  bool stalled() const { return stalled_; }
  bool hello() const { return hello_.load(std::memory_order_acquire); }
  bool done() const { return done_.load(std::memory_order_acquire); }
  uint64_t events() const { return events_.load(std::memory_order_relaxed); }
  uint64_t messages() const { return messages_.load(std::memory_order_relaxed); }
  uint64_t gaps() const { return gaps_.load(std::memory_order_relaxed); }
  int64_t last_event_ns() const { return last_event_ns_.load(std::memory_order_relaxed); }
  void ResetCounters() {
    events_.store(0, std::memory_order_relaxed);
    messages_.store(0, std::memory_order_relaxed);
    gaps_.store(0, std::memory_order_relaxed);
  }

 private:
  // Counts the events of one message and times the one at the next sampling point, if
  // the message holds it.
  void OnEvents() {
    const int64_t now = NowNs();
    const uint64_t before = events_.load(std::memory_order_relaxed);  // only this thread adds
    const auto every = static_cast<uint64_t>(fleet_->sample_every_.load(std::memory_order_relaxed));
    const uint64_t sample = (before / every + 1) * every;  // the next sampled event's number
    const MessageEvents read =
        ReadEvents(in_, static_cast<int>(std::min<uint64_t>(sample - before - 1, INT32_MAX)));
    if (read.count == 0) return;
    messages_.fetch_add(1, std::memory_order_relaxed);
    events_.fetch_add(static_cast<uint64_t>(read.count), std::memory_order_relaxed);
    last_event_ns_.store(now, std::memory_order_relaxed);
    if (read.sample_sent_ns > 0) fleet_->latency_->Record(now - read.sample_sent_ns);
  }

  SubscriberFleet *const fleet_;
  const bool stalled_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer in_;
  std::atomic<bool> hello_{false}, done_{false};
  std::atomic<uint64_t> events_{0}, messages_{0}, gaps_{0};
  std::atomic<int64_t> last_event_ns_{0};
};

SubscriberFleet::SubscriberFleet(std::vector<std::string> targets, int channels, int max_batch)
    : targets_(std::move(targets)),
      latency_(std::make_unique<LatencySamples>()),
      max_batch_(max_batch) {
  for (int i = 0; i < channels; ++i) {
    stubs_.push_back(
        std::make_unique<grpc::GenericStub>(MakeChannel(targets_[i % targets_.size()])));
  }
}

SubscriberFleet::~SubscriberFleet() { Close(); }

absl::Status SubscriberFleet::OpenOn(grpc::GenericStub *stub, bool stalled, int n,
                                     std::chrono::milliseconds timeout) {
  const std::size_t first = readers_.size();
  for (int i = 0; i < n; ++i) {
    readers_.push_back(std::make_unique<Reader>(this, stalled));
    if (stub == nullptr && stubs_.empty()) {  // a connection per stream
      own_stubs_.push_back(std::make_unique<grpc::GenericStub>(
          MakeChannel(targets_[own_stubs_.size() % targets_.size()])));
    }
    // Round-robin over the shared connections unless the caller chose one.
    readers_.back()->Start(stub             ? stub
                           : stubs_.empty() ? own_stubs_.back().get()
                                            : stubs_[(first + i) % stubs_.size()].get());
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
  stalled_stub_ = std::make_unique<grpc::GenericStub>(MakeChannel(targets_.front()));
  return OpenOn(stalled_stub_.get(), true, 1, timeout);
}

void SubscriberFleet::CloseStalled() {
  CloseReaders([](const Reader &reader) { return reader.stalled(); });
  stalled_stub_.reset();
}

void SubscriberFleet::CloseReaders(const std::function<bool(const Reader &)> &which) {
  for (auto &reader : readers_) {
    if (which(*reader)) reader->Cancel();
  }
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (auto &reader : readers_) {
    while (which(*reader) && !reader->done() && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  readers_.erase(std::remove_if(readers_.begin(), readers_.end(),
                                [&](const auto &reader) { return which(*reader); }),
                 readers_.end());
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

uint64_t SubscriberFleet::messages() const {
  uint64_t total = 0;
  for (const auto &reader : readers_) total += reader->messages();
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
  CloseReaders([](const Reader &) { return true; });
  own_stubs_.clear();
}

}  // namespace wxbridge::bench
