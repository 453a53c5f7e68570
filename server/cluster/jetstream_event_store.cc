#include "server/cluster/jetstream_event_store.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "server/cluster/event_subjects.h"
#include "server/cluster/nats_status.h"
#include "server/common/log.h"
#include "server/events/event_wire.h"
#include "server/events/log_id.h"
#include "server/events/prepared_event.h"

namespace wxbridge::cluster {
namespace {

constexpr char kComponent[] = "cluster";
// The stream's description: this prefix, then the log_id.
constexpr absl::string_view kDescriptionPrefix = "wxbridge event log ";
// What a message carries besides the Event bytes: its filter kind (a number) and its
// account (C-escaped: a header value must stay printable).
constexpr char kKindHeader[] = "Wxbridge-Kind";
constexpr char kAccountHeader[] = "Wxbridge-Account";
constexpr char kExpectedLastSeqHeader[] = "Nats-Expected-Last-Sequence";
// How long a publish may wait for room among the pending ones: as good as never.
constexpr int64_t kPublishStallWaitMs = 1;
// The destructor's bound on the subscription's last callback.
constexpr auto kUnsubscribeWait = std::chrono::seconds(5);

int64_t Nanos(std::chrono::nanoseconds duration) { return duration.count(); }

int64_t ClampToInt64(std::size_t value) {
  return static_cast<int64_t>(
      std::min<std::size_t>(value, static_cast<std::size_t>(std::numeric_limits<int64_t>::max())));
}

struct StreamInfoDeleter {
  void operator()(jsStreamInfo* info) const { jsStreamInfo_Destroy(info); }
};
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, StreamInfoDeleter>;

// The seq a message id "<log_id>-<seq>-<writer_id>" names; 0 when it names none.
uint64_t SeqOfMsgId(const char* msg_id) {
  if (msg_id == nullptr) return 0;
  std::vector<absl::string_view> parts = absl::StrSplit(msg_id, '-');
  uint64_t seq = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &seq)) return 0;
  return seq;
}

}  // namespace

absl::StatusOr<std::unique_ptr<JetStreamEventStore>> JetStreamEventStore::Open(
    JetStreamEventStoreOptions options) {
  if (absl::Status status = ValidateClusterName(options.cluster); !status.ok()) return status;
  std::unique_ptr<JetStreamEventStore> store(new JetStreamEventStore(std::move(options)));
  if (absl::Status status = store->Start(); !status.ok()) return status;
  return store;
}

JetStreamEventStore::JetStreamEventStore(JetStreamEventStoreOptions options)
    : options_(std::move(options)),
      stream_name_(StreamName(options_.cluster)),
      writer_id_(events::NewLogId()),
      max_event_bytes_(options_.max_event_bytes),
      window_(ReplicaWindowBounds{options_.retention_count, options_.retention_bytes,
                                  options_.retention_age}) {
  jsOptions_Init(&js_options_);
  js_options_.PublishAsync.MaxPending = options_.max_pending_publishes;
  js_options_.PublishAsync.StallWait = kPublishStallWaitMs;
  js_options_.PublishAsync.AckHandler = &JetStreamEventStore::OnPublishAck;
  js_options_.PublishAsync.AckHandlerClosure = this;
}

absl::Status JetStreamEventStore::Start() {
  absl::StatusOr<std::unique_ptr<NatsConnection>> nats =
      NatsConnection::Connect(options_.nats, &js_options_);
  if (!nats.ok()) return nats.status();
  nats_ = *std::move(nats);
  const int64_t max_payload = nats_->max_payload();
  if (max_payload > 0 && static_cast<std::size_t>(max_payload) < max_event_bytes_ + kHeaderRoom) {
    max_event_bytes_ = static_cast<std::size_t>(max_payload) > kHeaderRoom
                           ? static_cast<std::size_t>(max_payload) - kHeaderRoom
                           : 0;
    Log(LogLevel::kWarning, kComponent, "the NATS server's max_payload is ", max_payload,
        " bytes: events over ", max_event_bytes_, " bytes are stored cut");
  }

  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  if (absl::Status status = OpenStream(&first_seq, &last_seq); !status.ok()) return status;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    assigned_seq_ = last_seq;  // never renumber: continue from the stream's head
  }
  // The window keeps at most retention_count events: older ones need not be replayed.
  uint64_t start_seq = first_seq;
  if (last_seq >= options_.retention_count) {
    start_seq = std::max<uint64_t>(start_seq, last_seq - options_.retention_count + 1);
  }
  if (absl::Status status = Subscribe(start_seq); !status.ok()) return status;
  return CatchUpTo(last_seq);
}

absl::Status JetStreamEventStore::CatchUpTo(uint64_t seq) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!changed_.wait_for(lock, options_.catch_up_timeout,
                         [&] { return window_.head_seq() >= seq; })) {
    return absl::DeadlineExceededError(absl::StrCat("stream ", stream_name_, ": caught up to seq ",
                                                    window_.head_seq(), " of ", seq, " in ",
                                                    options_.catch_up_timeout.count(), " ms"));
  }
  return absl::OkStatus();
}

absl::Status JetStreamEventStore::ResumeWriting() {
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = options_.publish_ack_timeout.count();
  if (natsStatus s = js_PublishAsyncComplete(nats_->jetstream(), &wait); s != NATS_OK) {
    return NatsError(s, "waiting for the acks of earlier publishes");
  }
  jsStreamInfo* raw = nullptr;
  jsErrCode js_code = jsErrCode(0);
  if (natsStatus s =
          js_GetStreamInfo(&raw, nats_->jetstream(), stream_name_.c_str(), nullptr, &js_code);
      s != NATS_OK) {
    return NatsError(s, absl::StrCat("stream ", stream_name_), js_code);
  }
  const uint64_t last_seq = StreamInfoPtr(raw)->State.LastSeq;
  if (absl::Status status = CatchUpTo(last_seq); !status.ok()) return status;
  std::lock_guard<std::mutex> lock(mutex_);
  assigned_seq_ = last_seq;
  last_msg_id_.clear();
  writer_status_ = absl::OkStatus();
  return absl::OkStatus();
}

absl::Status JetStreamEventStore::OpenStream(uint64_t* first_seq, uint64_t* last_seq) {
  jsCtx* js = nats_->jetstream();
  jsStreamInfo* raw = nullptr;
  jsErrCode js_code = jsErrCode(0);
  natsStatus s = js_GetStreamInfo(&raw, js, stream_name_.c_str(), nullptr, &js_code);
  if (s == NATS_NOT_FOUND || js_code == JSStreamNotFoundErr) {
    const std::string subjects = StreamSubjects(options_.cluster);
    const char* subject_list[] = {subjects.c_str()};
    const std::string description = absl::StrCat(kDescriptionPrefix, events::NewLogId());
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = stream_name_.c_str();
    config.Description = description.c_str();
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.MaxMsgs = ClampToInt64(options_.retention_count);
    config.MaxBytes =
        ClampToInt64(options_.retention_bytes + options_.retention_count * kStreamBytesPerMessage);
    config.MaxAge = Nanos(options_.retention_age);
    config.Duplicates = Nanos(options_.duplicates_window);
    js_code = jsErrCode(0);
    s = js_AddStream(&raw, js, &config, nullptr, &js_code);
    if (s != NATS_OK && js_code == JSStreamNameExistErr) {
      // Another replica created it first, with its own log_id: adopt that one.
      js_code = jsErrCode(0);
      s = js_GetStreamInfo(&raw, js, stream_name_.c_str(), nullptr, &js_code);
    } else if (s == NATS_OK) {
      Log(LogLevel::kInfo, kComponent, "created stream ", stream_name_, " (", subjects, ")");
    }
  }
  if (s != NATS_OK) return NatsError(s, absl::StrCat("stream ", stream_name_), js_code);
  StreamInfoPtr info(raw);
  const char* description = info->Config != nullptr ? info->Config->Description : nullptr;
  if (description == nullptr || !absl::StartsWith(description, kDescriptionPrefix) ||
      absl::string_view(description).size() == kDescriptionPrefix.size()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "stream ", stream_name_, " exists but is not a wxbridge event log (its description \"",
        description == nullptr ? "" : description, "\" carries no log_id)"));
  }
  log_id_ = std::string(absl::string_view(description).substr(kDescriptionPrefix.size()));
  *first_seq = info->State.FirstSeq;
  *last_seq = info->State.LastSeq;
  return absl::OkStatus();
}

absl::Status JetStreamEventStore::Subscribe(uint64_t start_seq) {
  jsSubOptions sub_options;
  jsSubOptions_Init(&sub_options);
  sub_options.Stream = stream_name_.c_str();
  sub_options.Ordered = true;  // no acks, no redeliveries; cnats recreates it after a gap
  if (start_seq > 1) {
    sub_options.Config.DeliverPolicy = js_DeliverByStartSequence;
    sub_options.Config.OptStartSeq = start_seq;
  }
  const std::string subjects = StreamSubjects(options_.cluster);
  jsErrCode js_code = jsErrCode(0);
  natsStatus s =
      js_Subscribe(&subscription_, nats_->jetstream(), subjects.c_str(),
                   &JetStreamEventStore::OnMessage, this, nullptr, &sub_options, &js_code);
  if (s == NATS_OK) {
    s = natsSubscription_SetOnCompleteCB(subscription_,
                                         &JetStreamEventStore::OnSubscriptionComplete, this);
  }
  return NatsError(s, absl::StrCat("subscribe to ", stream_name_), js_code);
}

JetStreamEventStore::~JetStreamEventStore() {
  if (nats_ != nullptr && nats_->connected()) {
    // Lets the acks of what was published arrive (or time out): none can come later.
    // Without a connection none can arrive either: a process cut off from NATS ends now.
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = options_.publish_ack_timeout.count();
    js_PublishAsyncComplete(nats_->jetstream(), &wait);
  }
  closing_ = true;
  if (subscription_ != nullptr) {
    // Connected: unsubscribing also deletes the consumer on the server. Not connected,
    // that request would only wait out api_timeout: closing the connection closes the
    // subscription at once (the server drops the consumer when it goes inactive).
    const bool closing = nats_->connected() ? natsSubscription_Unsubscribe(subscription_) == NATS_OK
                                            : (nats_->Close(), true);
    if (closing) {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait_for(lock, kUnsubscribeWait, [this] { return subscription_done_; });
    }
    natsSubscription_Destroy(subscription_);
  }
  nats_.reset();
}

events::StoredEventPtr JetStreamEventStore::Append(wxbridge::v1::Event event) {
  events::PreparedEvent prepared = events::PrepareEvent(std::move(event), max_event_bytes_);
  if (prepared.truncated) truncated_count_++;
  const std::string subject =
      EventSubject(options_.cluster, prepared.retained->account, prepared.retained->kind);
  const std::string account = absl::CHexEscape(prepared.retained->account);
  const std::string kind = absl::StrCat(static_cast<int>(prepared.retained->kind));

  absl::Status fence;
  bool fenced_now = false;
  {
    // Numbering and publishing under one lock keeps the publishes in seq order.
    std::lock_guard<std::mutex> lock(mutex_);
    const uint64_t seq = ++assigned_seq_;
    events::NumberEvent(seq, &prepared);
    if (!writer_status_.ok()) return prepared.stored;  // fenced: nothing more is published
    if (const uint64_t head = window_.head_seq(); head >= seq) {
      fence = absl::FailedPreconditionError(absl::StrCat(
          "stream ", stream_name_, " already holds seq ", head, ": another writer appended"));
    } else {
      const grpc::Slice bytes = events::EventBytesOfWire(prepared.retained->wire);
      std::string msg_id = absl::StrCat(log_id_, "-", seq, "-", writer_id_);
      natsMsg* msg = nullptr;
      natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr,
                                    reinterpret_cast<const char*>(bytes.begin()),
                                    static_cast<int>(bytes.size()));
      if (s == NATS_OK) s = natsMsgHeader_Set(msg, kKindHeader, kind.c_str());
      // No header for no account: cnats 3.4.1 misreads a header with an empty value.
      if (s == NATS_OK && !account.empty()) {
        s = natsMsgHeader_Set(msg, kAccountHeader, account.c_str());
      }
      // cnats sends no expectation for ExpectLastSeq 0; the server checks the header.
      if (s == NATS_OK && seq == 1) s = natsMsgHeader_Set(msg, kExpectedLastSeqHeader, "0");
      if (s == NATS_OK) {
        jsPubOptions publish;
        jsPubOptions_Init(&publish);
        publish.MsgId = msg_id.c_str();
        publish.ExpectLastSeq = seq - 1;
        // After this store's first publish: the stream's last message must be its own, so
        // once it lost a seq to another writer none of its later events can be stored.
        if (!last_msg_id_.empty()) publish.ExpectLastMsgId = last_msg_id_.c_str();
        publish.MaxWait = options_.publish_ack_timeout.count();
        s = js_PublishMsgAsync(nats_->jetstream(), &msg, &publish);
      }
      if (s == NATS_OK) last_msg_id_ = std::move(msg_id);
      if (msg != nullptr) natsMsg_Destroy(msg);  // still ours only when not sent
      if (s != NATS_OK) fence = NatsError(s, absl::StrCat("publish of seq ", seq));
    }
    if (!fence.ok()) fenced_now = FenceLocked(fence);
  }
  if (fenced_now) ReportFence(fence);
  return prepared.stored;
}

void JetStreamEventStore::Flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t target = assigned_seq_;
  const bool done =
      changed_.wait_for(lock, options_.publish_ack_timeout + options_.catch_up_timeout,
                        [&] { return window_.head_seq() >= target || !writer_status_.ok(); });
  if (!done) {
    Log(LogLevel::kWarning, kComponent, "stream ", stream_name_, ": flush gave up at seq ",
        window_.head_seq(), " of ", target);
  }
}

absl::Status JetStreamEventStore::writer_status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writer_status_;
}

void JetStreamEventStore::OnMessage(natsConnection*, natsSubscription*, natsMsg* msg,
                                    void* closure) {
  static_cast<JetStreamEventStore*>(closure)->Deliver(msg);
  natsMsg_Destroy(msg);
}

void JetStreamEventStore::Deliver(natsMsg* msg) {
  if (closing_) return;
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) return;  // a heartbeat or flow control
  const uint64_t seq = meta->Sequence.Stream;
  const int64_t stored_ns = meta->Timestamp;
  jsMsgMetaData_Destroy(meta);

  auto event = std::make_shared<events::RetainedEvent>();
  event->seq = seq;
  const char* kind = nullptr;
  int kind_number = 0;
  if (natsMsgHeader_Get(msg, kKindHeader, &kind) == NATS_OK && kind != nullptr &&
      absl::SimpleAtoi(kind, &kind_number)) {
    event->kind = static_cast<wxbridge::v1::EventKind>(kind_number);
  }
  const char* account = nullptr;
  if (natsMsgHeader_Get(msg, kAccountHeader, &account) == NATS_OK && account != nullptr &&
      !absl::CUnescape(account, &event->account)) {
    event->account.clear();
  }
  event->wire = events::WireOfEventBytes(natsMsg_GetData(msg),
                                         static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  window_.Add(std::move(event), stored_ns);
  {
    std::lock_guard<std::mutex> lock(mutex_);  // pairs with the waits on changed_
  }
  changed_.notify_all();
}

void JetStreamEventStore::OnPublishAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                                       void* closure) {
  static_cast<JetStreamEventStore*>(closure)->Acknowledged(msg, ack, error);
  natsMsg_Destroy(msg);
}

void JetStreamEventStore::Acknowledged(natsMsg* msg, const jsPubAck* ack,
                                       const jsPubAckErr* error) {
  const char* msg_id = nullptr;
  natsMsgHeader_Get(msg, "Nats-Msg-Id", &msg_id);
  const uint64_t seq = SeqOfMsgId(msg_id);
  if (error != nullptr) {
    absl::Status why =
        error->ErrCode == JSStreamWrongLastSequenceErr ||
                error->ErrCode == JSStreamWrongLastMsgIDErr
            ? absl::FailedPreconditionError(absl::StrCat(
                  "stream ", stream_name_, " refused seq ", seq, ": its last message is not ",
                  error->ErrCode == JSStreamWrongLastSequenceErr ? absl::StrCat("seq ", seq - 1)
                                                                 : std::string("this store's"),
                  " (another writer appended)"))
            : NatsError(error->Err, absl::StrCat("publish of seq ", seq), error->ErrCode);
    Fence(why);
  } else if (ack != nullptr && (ack->Duplicate || ack->Sequence != seq)) {
    Fence(absl::FailedPreconditionError(
        absl::StrCat("stream ", stream_name_, " stored seq ", seq, " as ", ack->Sequence,
                     ack->Duplicate ? " (a duplicate)" : "", ": another writer appended")));
  }
}

bool JetStreamEventStore::FenceLocked(absl::Status why) {
  if (!writer_status_.ok()) return false;
  writer_status_ = std::move(why);
  return true;
}

void JetStreamEventStore::Fence(const absl::Status& why) {
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    first = FenceLocked(why);
  }
  if (first) ReportFence(why);
}

void JetStreamEventStore::ReportFence(const absl::Status& why) {
  changed_.notify_all();  // Flush stops waiting
  if (closing_) return;
  Log(LogLevel::kError, kComponent, "fenced: ", why.ToString());
  if (options_.on_fenced) options_.on_fenced(why);
}

void JetStreamEventStore::OnSubscriptionComplete(void* closure) {
  auto* store = static_cast<JetStreamEventStore*>(closure);
  {
    std::lock_guard<std::mutex> lock(store->mutex_);
    store->subscription_done_ = true;
  }
  store->changed_.notify_all();
}

}  // namespace wxbridge::cluster
