// UpstreamClient: the policy around one UpstreamConnection at a time — the write queue and
// its write timeout, reconnect with backoff, state reports, Stop. No Beast here (see
// upstream_connection.cc).
#include "server/upstream/upstream_client.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/asio/steady_timer.hpp"
#include "server/common/log.h"
#include "server/upstream/backoff.h"
#include "server/upstream/upstream_connection.h"
#include "server/upstream/write_queue.h"

namespace wxbridge::upstream {

using std::chrono::milliseconds;
using wxbridge::v1::UpstreamState;

class UpstreamClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, UpstreamConfig config, UpstreamCallbacks callbacks)
      : io_(io),
        config_(std::move(config)),
        callbacks_(std::move(callbacks)),
        url_text_(RedactUrl(config_.url)),
        backoff_(BackoffPolicy{config_.backoff_initial, config_.backoff_max, Jitter::kDecorrelated},
                 MakeUnitRandom()),
        retry_timer_(io),
        write_timer_(io),
        queue_(config_.max_queue_bytes) {}

  void Start() {
    if (started_ || stopped_) return;
    started_ = true;
    absl::StatusOr<UpstreamUrl> url = ParseUpstreamUrl(config_.url);
    if (!url.ok()) return GiveUp(std::string(url.status().message()));
    url_ = *std::move(url);
    if (url_->tls) {
      auto tls = MakeTlsContext(config_);
      if (!tls.ok()) return GiveUp(std::string(tls.status().message()));
      tls_ = *std::move(tls);
    }
    Connect();
  }

  void Stop(std::function<void()> done) {
    auto self = shared_from_this();  // `done` may destroy the owner
    if (closing_) {
      stop_waiters_.push_back(std::move(done));
      return;
    }
    if (!stopped_) {
      stopped_ = true;
      retry_timer_.cancel();
      queue_.Clear();
      if (connection_ && open_) {
        Log(LogLevel::kInfo, "upstream", "closing the connection to ", url_text_);
        closing_ = true;
        stop_waiters_.push_back(std::move(done));
        connection_->Close([self] { self->OnClosed(); });
        return;
      }
      DropConnection();
    }
    done();
  }

  // The owner is going away: abandon everything without waiting.
  void Detach() {
    stopped_ = true;
    retry_timer_.cancel();
    queue_.Clear();
    DropConnection();
  }

  bool connected() const { return open_ && !stopped_; }

  absl::Status Write(std::shared_ptr<const std::string> frame, uint64_t token, bool first) {
    if (stopped_) return absl::FailedPreconditionError("the upstream client has stopped");
    if (absl::Status queued = queue_.Push(token, std::move(frame), first); !queued.ok()) {
      return queued;
    }
    WriteNext();
    return absl::OkStatus();
  }

  bool Withdraw(uint64_t token) { return queue_.Remove(token) || queue_.in_flight() != token; }

  std::size_t queued() const { return queue_.size(); }
  std::size_t queued_bytes() const { return queue_.bytes(); }
  uint64_t written_bytes() const { return queue_.written_bytes(); }

 private:
  void Connect() {
    Log(LogLevel::kInfo, "upstream", "connecting to ", url_text_);
    connection_ = MakeUpstreamConnection(io_, config_, *url_, tls_, ConnectionEventsForSelf());
    connection_->Open();
  }

  // The connection is owned by this Impl, so its events hold only a weak reference back.
  ConnectionEvents ConnectionEventsForSelf() {
    std::weak_ptr<Impl> weak = weak_from_this();
    ConnectionEvents events;
    events.on_open = [weak] {
      if (auto self = weak.lock()) self->OnOpen();
    };
    events.on_frame = [weak](std::string frame, bool binary) {
      if (auto self = weak.lock()) self->Fire(self->callbacks_.on_frame, std::move(frame), binary);
    };
    events.on_write_done = [weak] {
      if (auto self = weak.lock()) self->OnWriteDone();
    };
    events.on_failed = [weak](const std::string& reason, bool frame_too_big) {
      if (auto self = weak.lock()) self->OnFailed(reason, frame_too_big);
    };
    return events;
  }

  void OnOpen() {
    open_ = true;
    largest_written_ = {};
    opened_at_ = std::chrono::steady_clock::now();
    Log(LogLevel::kInfo, "upstream", "connected to ", url_text_);
    Fire(callbacks_.on_state, wxbridge::v1::UPSTREAM_STATE_CONNECTED,
         absl::StrCat("connected to ", url_text_), backoff_.attempts(), milliseconds(0));
    // Nothing is written before on_connected returns, so a frame it writes `first` is
    // first on the wire; the read loop starts when this returns.
    writes_held_ = true;
    Fire(callbacks_.on_connected);
    writes_held_ = false;
    WriteNext();
  }

  void WriteNext() {
    if (!open_ || stopped_ || writes_held_ || !queue_.ReadyToWrite()) return;
    const WriteQueue::Entry& entry = queue_.StartWrite();
    if (entry.frame->size() > largest_written_.bytes) {
      largest_written_ = {entry.token, entry.frame->size()};
    }
    connection_->Write(entry.frame);
    // A gateway that stops reading never completes the write; without a timeout the queue
    // would grow until the process runs out of memory. A write only notes its start: the
    // timer is armed when none is, not re-armed (two syscalls) on every write.
    write_started_at_ = std::chrono::steady_clock::now();
    if (!write_timer_armed_) ArmWriteTimer(config_.write_timeout);
  }

  void ArmWriteTimer(std::chrono::steady_clock::duration after) {
    write_timer_armed_ = true;
    write_timer_.expires_after(after);
    write_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      self->write_timer_armed_ = false;
      if (!ec) self->CheckWriteTimeout();
    });
  }

  // Idle (nothing being written): the next write arms the timer again.
  void CheckWriteTimeout() {
    if (!open_ || stopped_ || !queue_.in_flight()) return;
    const auto waited = std::chrono::steady_clock::now() - write_started_at_;
    if (waited < config_.write_timeout) return ArmWriteTimer(config_.write_timeout - waited);
    OnFailed(absl::StrCat("a write did not complete within ", config_.write_timeout.count(),
                          " ms (--write_timeout): the gateway stopped reading"));
  }

  void OnWriteDone() {
    const uint64_t token = queue_.FinishWrite();
    WriteNext();
    Fire(callbacks_.on_written, token);
  }

  void OnFailed(const std::string& reason, bool frame_too_big = false) {
    const bool was_open = open_;
    DropConnection();
    Log(LogLevel::kWarning, "upstream", was_open ? "disconnected from " : "cannot connect to ",
        url_text_, ": ", reason);
    // Only a connection that lived through a whole ping interval resets the backoff, so a
    // gateway that accepts and at once drops (say, a refused authKey) is not hammered.
    if (was_open && std::chrono::steady_clock::now() - opened_at_ >= config_.ping_interval) {
      backoff_.Reset();
    }
    std::optional<uint64_t> refused;
    if (frame_too_big && largest_written_.bytes > 0) refused = largest_written_.token;
    // The frame being written may or may not have reached the gateway: its owner decides,
    // unless it is the frame the gateway refused.
    if (const std::optional<uint64_t> token = queue_.in_flight(); token && token == refused) {
      queue_.InterruptWrite(false);
    } else if (token) {
      const bool keep =
          !stopped_ && callbacks_.resend_interrupted && callbacks_.resend_interrupted(*token);
      queue_.InterruptWrite(keep);
    }
    if (refused) {
      Log(LogLevel::kWarning, "upstream", "the gateway refused a ", largest_written_.bytes,
          "-byte frame as too big (close code 1009); it is not written again");
      Fire(callbacks_.on_refused_too_big, *refused, largest_written_.bytes);
    }
    Fire(callbacks_.on_state, wxbridge::v1::UPSTREAM_STATE_DISCONNECTED, reason,
         backoff_.attempts(), milliseconds(0));
    ScheduleReconnect(reason);
  }

  void ScheduleReconnect(const std::string& reason) {
    if (stopped_) return;  // a callback above may have stopped us
    const milliseconds delay = backoff_.Next();
    const uint32_t attempt = backoff_.attempts();
    Log(LogLevel::kInfo, "upstream", "reconnecting to ", url_text_, " in ", delay.count(),
        " ms (attempt ", attempt, ")");
    Fire(callbacks_.on_state, wxbridge::v1::UPSTREAM_STATE_RECONNECTING, reason, attempt, delay);
    if (stopped_) return;
    retry_timer_.expires_after(delay);
    retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec && !self->stopped_) self->Connect();
    });
  }

  void OnClosed() {
    Log(LogLevel::kInfo, "upstream", "closed the connection to ", url_text_);
    closing_ = false;
    open_ = false;
    write_timer_.cancel();  // a pending timer would keep the io_context running
    connection_.reset();
    std::vector<std::function<void()>> waiters;
    waiters.swap(stop_waiters_);
    for (auto& done : waiters) done();
  }

  // A configuration error: retrying cannot help.
  void GiveUp(const std::string& reason) {
    Log(LogLevel::kError, "upstream", "not connecting: ", reason);
    Fire(callbacks_.on_state, wxbridge::v1::UPSTREAM_STATE_DISCONNECTED, reason, 0u,
         milliseconds(0));
  }

  void DropConnection() {
    if (connection_) connection_->Abort();
    connection_.reset();
    open_ = false;
    write_timer_.cancel();
  }

  // Every callback goes through here: after Stop nothing but `done` fires.
  template <typename Callback, typename... Args>
  void Fire(const Callback& callback, Args&&... args) {
    if (!stopped_ && callback) callback(std::forward<Args>(args)...);
  }

  boost::asio::io_context& io_;
  const UpstreamConfig config_;
  const UpstreamCallbacks callbacks_;
  const std::string url_text_;  // redacted: the only form of the URL that is logged
  std::optional<UpstreamUrl> url_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Backoff backoff_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer write_timer_;
  WriteQueue queue_;
  bool write_timer_armed_ = false;
  std::chrono::steady_clock::time_point write_started_at_;  // of the write in flight
  std::shared_ptr<UpstreamConnection> connection_;
  bool started_ = false;
  bool stopped_ = false;
  bool closing_ = false;  // Stop is waiting for the close handshake
  bool open_ = false;
  bool writes_held_ = false;  // on_connected is running
  std::chrono::steady_clock::time_point opened_at_;
  // The largest frame written (or being written) on the open connection: the one a 1009
  // close refuses.
  struct {
    uint64_t token = 0;
    std::size_t bytes = 0;
  } largest_written_;
  std::vector<std::function<void()>> stop_waiters_;
};

UpstreamClient::UpstreamClient(boost::asio::io_context& io, UpstreamConfig config,
                               UpstreamCallbacks callbacks)
    : impl_(std::make_shared<Impl>(io, std::move(config), std::move(callbacks))) {}

UpstreamClient::~UpstreamClient() { impl_->Detach(); }

void UpstreamClient::Start() { impl_->Start(); }

void UpstreamClient::Stop(std::function<void()> done) { impl_->Stop(std::move(done)); }

bool UpstreamClient::connected() const { return impl_->connected(); }

absl::Status UpstreamClient::Write(std::shared_ptr<const std::string> frame, uint64_t token,
                                   bool first) {
  return impl_->Write(std::move(frame), token, first);
}

bool UpstreamClient::Withdraw(uint64_t token) { return impl_->Withdraw(token); }

std::size_t UpstreamClient::queued() const { return impl_->queued(); }

std::size_t UpstreamClient::queued_bytes() const { return impl_->queued_bytes(); }
uint64_t UpstreamClient::written_bytes() const { return impl_->written_bytes(); }

}  // namespace wxbridge::upstream
