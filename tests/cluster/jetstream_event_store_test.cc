// The JetStream event store against a real nats-server (started per test on a free
// loopback port): events appended on one store are read on another with the same seqs
// and bytes; seqs continue after the stores are recreated; a second writer is fenced and
// never interleaves; a Gap below the stream's first seq; wakeups across replicas; and a
// crash and restart of nats-server loses nothing that was acknowledged.
#include "server/cluster/jetstream_event_store.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/cluster/event_subjects.h"
#include "tests/cluster/nats_test_server.h"
#include "tests/support/poll_until.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::cluster {
namespace {

using std::chrono::milliseconds;
using testing::NatsTestServer;
using testing::PollUntil;
using wxbridge::v1::Event;

constexpr milliseconds kDeadline{20000};

Event Text(const std::string& account, const std::string& text) {
  Event event;
  event.set_account(account);
  event.mutable_text()->set_text(text);
  return event;
}

std::string Bytes(const grpc::Slice& slice) {
  return std::string(reinterpret_cast<const char*>(slice.begin()), slice.size());
}

// The Event a retained wire carries (SubscribeResponse{event}).
Event Decode(const events::RetainedEventPtr& retained) {
  wxbridge::v1::SubscribeResponse response;
  EXPECT_TRUE(response.ParseFromString(Bytes(retained->wire)));
  return response.event();
}

std::vector<events::RetainedEventPtr> ReadAll(const events::EventStore& store) {
  return store.ReadAfter(0, 1 << 20).events;
}

class JetStreamEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<NatsTestServer>> server =
        NatsTestServer::Start(WXBRIDGE_NATS_SERVER);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  JetStreamEventStoreOptions Options(const std::string& cluster = "test") const {
    JetStreamEventStoreOptions options;
    options.nats.url = server_->url();
    options.cluster = cluster;
    return options;
  }

  static std::unique_ptr<JetStreamEventStore> OpenOk(JetStreamEventStoreOptions options) {
    absl::StatusOr<std::unique_ptr<JetStreamEventStore>> store =
        JetStreamEventStore::Open(std::move(options));
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::unique_ptr<NatsTestServer> server_;
};

TEST_F(JetStreamEventStoreTest, EventsAppendedOnOneStoreAreReadOnAnotherWithTheSameSeqsAndBytes) {
  std::unique_ptr<JetStreamEventStore> a = OpenOk(Options());
  std::unique_ptr<JetStreamEventStore> b = OpenOk(Options());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->log_id().size(), 32u);
  EXPECT_EQ(a->log_id(), b->log_id());
  EXPECT_EQ(a->stream_name(), "WXBRIDGE_test");
  EXPECT_EQ(b->head_seq(), 0u);

  std::vector<events::StoredEventPtr> appended;
  appended.push_back(a->Append(Text("wxid_a", "hello")));
  Event state;
  state.mutable_bridge_state()->set_state(wxbridge::v1::UPSTREAM_STATE_CONNECTED);
  appended.push_back(a->Append(state));  // no account
  appended.push_back(a->Append(Text("wx.id *odd>", "subject-unsafe account")));
  for (std::size_t i = 0; i < appended.size(); ++i) {
    EXPECT_EQ(appended[i]->event().seq(), i + 1);  // numbered at once
  }
  a->Flush();
  EXPECT_EQ(a->head_seq(), 3u);
  ASSERT_TRUE(PollUntil([&] { return b->head_seq() == 3; }, kDeadline)) << b->head_seq();

  for (const JetStreamEventStore* store : {a.get(), b.get()}) {
    events::EventStore::ReadResult read = store->ReadAfter(0, 10);
    ASSERT_TRUE(read.status.ok());
    EXPECT_FALSE(read.gap);
    ASSERT_EQ(read.events.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      const events::RetainedEvent& got = *read.events[i];
      const events::RetainedEvent& sent = *appended[i]->retained;
      EXPECT_EQ(got.seq, i + 1);
      EXPECT_EQ(got.kind, sent.kind);
      EXPECT_EQ(got.account, sent.account);
      EXPECT_EQ(Bytes(got.wire), Bytes(sent.wire));
    }
    EXPECT_EQ(store->oldest_seq(), 1u);
    EXPECT_EQ(store->retained_count(), 3u);
    EXPECT_EQ(store->retained_bytes(), RetainedBytes(*appended[0]->retained) +
                                           RetainedBytes(*appended[1]->retained) +
                                           RetainedBytes(*appended[2]->retained));
  }
  EXPECT_EQ(ReadAll(*b)[1]->kind, wxbridge::v1::EVENT_KIND_BRIDGE_STATE);
  EXPECT_TRUE(a->writer_status().ok()) << a->writer_status();
}

TEST_F(JetStreamEventStoreTest, SeqsAndLogIdContinueAfterTheStoresAreRecreated) {
  std::string log_id;
  std::string first_wire;
  {
    std::unique_ptr<JetStreamEventStore> a = OpenOk(Options());
    std::unique_ptr<JetStreamEventStore> b = OpenOk(Options());
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    log_id = a->log_id();
    first_wire = Bytes(a->Append(Text("wxid_a", "one"))->retained->wire);
    a->Append(Text("wxid_a", "two"));
    a->Flush();
  }
  std::unique_ptr<JetStreamEventStore> a = OpenOk(Options());
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->log_id(), log_id);
  EXPECT_EQ(a->head_seq(), 2u);  // Open waits until the window holds the stream's head
  ASSERT_EQ(ReadAll(*a).size(), 2u);
  EXPECT_EQ(Bytes(ReadAll(*a)[0]->wire), first_wire);
  EXPECT_EQ(a->Append(Text("wxid_a", "three"))->event().seq(), 3u);
  a->Flush();
  EXPECT_EQ(a->head_seq(), 3u);

  // Another cluster name is another stream: its own log_id and seqs.
  std::unique_ptr<JetStreamEventStore> other = OpenOk(Options("other"));
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other->log_id(), log_id);
  EXPECT_EQ(other->Append(Text("wxid_a", "first"))->event().seq(), 1u);
}

// Two stores append at once, as two holders would: whichever publish comes second for a
// seq is refused, its store is fenced (and told once), and every event in the stream has
// exactly the seq its writer gave it: nothing interleaved, nothing renumbered.
TEST_F(JetStreamEventStoreTest, ASecondWriterIsFencedAndNeverInterleaves) {
  std::atomic<int> fenced_calls{0};
  auto counting = [&] {
    JetStreamEventStoreOptions options = Options();
    options.on_fenced = [&](const absl::Status&) { fenced_calls++; };
    return options;
  };
  std::unique_ptr<JetStreamEventStore> a = OpenOk(counting());
  std::unique_ptr<JetStreamEventStore> b = OpenOk(counting());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);

  std::map<std::string, uint64_t> assigned;  // text -> the seq its writer gave it
  for (int i = 0; i < 50; ++i) {
    for (auto [name, store] : {std::pair{"a", a.get()}, std::pair{"b", b.get()}}) {
      const std::string text = std::string(name) + "-" + std::to_string(i);
      assigned[text] = store->Append(Text("wxid_a", text))->event().seq();
    }
  }
  a->Flush();
  b->Flush();
  // on_fenced runs on a NATS thread just after writer_status() turns.
  ASSERT_TRUE(PollUntil([&] { return fenced_calls.load() > 0; }, kDeadline));
  const bool a_fenced = !a->writer_status().ok();
  const bool b_fenced = !b->writer_status().ok();
  EXPECT_NE(a_fenced, b_fenced) << "exactly one writer wins here: " << a->writer_status() << " / "
                                << b->writer_status();
  JetStreamEventStore& loser = a_fenced ? *a : *b;
  EXPECT_EQ(loser.writer_status().code(), absl::StatusCode::kFailedPrecondition)
      << loser.writer_status();
  EXPECT_EQ(fenced_calls.load(), 1);

  std::unique_ptr<JetStreamEventStore> reader = OpenOk(Options());
  ASSERT_NE(reader, nullptr);
  const std::vector<events::RetainedEventPtr> stored = ReadAll(*reader);
  ASSERT_FALSE(stored.empty());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const Event event = Decode(stored[i]);
    EXPECT_EQ(event.seq(), i + 1);
    ASSERT_EQ(assigned.count(event.text().text()), 1u) << event.text().text();
    EXPECT_EQ(assigned[event.text().text()], event.seq()) << event.text().text();
  }
  // The loser stored at most a prefix, before the winner's first event: never after it.
  const std::string winner_prefix = a_fenced ? "b-" : "a-";
  bool winner_started = false;
  for (const events::RetainedEventPtr& event : stored) {
    const bool from_winner = Decode(event).text().text().rfind(winner_prefix, 0) == 0;
    EXPECT_TRUE(from_winner || !winner_started) << "interleaved at seq " << event->seq;
    winner_started = winner_started || from_winner;
  }
  // The fenced store publishes nothing more, and says so at once.
  const uint64_t head = reader->head_seq();
  loser.Append(Text("wxid_a", "after the fence"));
  loser.Flush();
  JetStreamEventStore& winner = a_fenced ? *b : *a;
  const uint64_t marker = winner.Append(Text("wxid_a", "winner again"))->event().seq();
  winner.Flush();
  EXPECT_TRUE(winner.writer_status().ok()) << winner.writer_status();
  ASSERT_TRUE(PollUntil([&] { return reader->head_seq() >= marker; }, kDeadline));
  EXPECT_EQ(marker, head + 1);
  EXPECT_EQ(Decode(reader->ReadAfter(head, 10).events.at(0)).text().text(), "winner again");
}

// A store that already reads events it did not write is fenced by Append itself, before
// anything is published.
TEST_F(JetStreamEventStoreTest, AWriterBehindTheStreamIsFencedBeforePublishing) {
  std::unique_ptr<JetStreamEventStore> a = OpenOk(Options());
  std::unique_ptr<JetStreamEventStore> b = OpenOk(Options());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  a->Append(Text("wxid_a", "from a"));
  a->Flush();
  ASSERT_TRUE(PollUntil([&] { return b->head_seq() == 1; }, kDeadline));
  EXPECT_EQ(b->Append(Text("wxid_a", "from b"))->event().seq(), 1u);  // numbered, not stored
  EXPECT_EQ(b->writer_status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(a->Append(Text("wxid_a", "a again"))->event().seq(), 2u);
  a->Flush();
  ASSERT_TRUE(PollUntil([&] { return b->head_seq() == 2; }, kDeadline));
  EXPECT_EQ(Decode(b->ReadAfter(1, 1).events.at(0)).text().text(), "a again");
  EXPECT_TRUE(a->writer_status().ok()) << a->writer_status();
}

// Taking over: a fenced store (or one that never wrote) resumes from the stream's head,
// and the store that wrote before is the one fenced now.
TEST_F(JetStreamEventStoreTest, AStoreResumesWritingFromTheStreamsHeadAndFencesThePrevious) {
  std::unique_ptr<JetStreamEventStore> a = OpenOk(Options());
  std::unique_ptr<JetStreamEventStore> b = OpenOk(Options());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  a->Append(Text("wxid_a", "a1"));
  a->Append(Text("wxid_a", "a2"));
  a->Flush();
  ASSERT_TRUE(b->ResumeWriting().ok());
  EXPECT_EQ(b->head_seq(), 2u);
  EXPECT_EQ(b->Append(Text("wxid_a", "b3"))->event().seq(), 3u);
  b->Flush();
  EXPECT_TRUE(b->writer_status().ok()) << b->writer_status();

  a->Append(Text("wxid_a", "a3, too late"));  // expects its own a2 last: refused
  ASSERT_TRUE(PollUntil([&] { return !a->writer_status().ok(); }, kDeadline));
  EXPECT_EQ(a->writer_status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(PollUntil([&] { return a->head_seq() == 3; }, kDeadline));
  EXPECT_EQ(Decode(a->ReadAfter(2, 1).events.at(0)).text().text(), "b3");

  ASSERT_TRUE(a->ResumeWriting().ok());  // and back
  EXPECT_EQ(a->Append(Text("wxid_a", "a4"))->event().seq(), 4u);
  a->Flush();
  EXPECT_TRUE(a->writer_status().ok()) << a->writer_status();
  ASSERT_TRUE(PollUntil([&] { return b->head_seq() == 4; }, kDeadline));
}

TEST_F(JetStreamEventStoreTest, RetentionByCountGivesAGapBelowTheStreamsFirstSeq) {
  JetStreamEventStoreOptions options = Options();
  options.retention_count = 5;
  std::unique_ptr<JetStreamEventStore> a = OpenOk(options);
  ASSERT_NE(a, nullptr);
  for (int i = 0; i < 12; ++i) a->Append(Text("wxid_a", std::to_string(i)));
  a->Flush();
  std::unique_ptr<JetStreamEventStore> b = OpenOk(options);  // replays what the stream kept
  ASSERT_NE(b, nullptr);
  for (const JetStreamEventStore* store : {a.get(), b.get()}) {
    EXPECT_EQ(store->head_seq(), 12u);
    EXPECT_EQ(store->oldest_seq(), 8u);
    EXPECT_EQ(store->retained_count(), 5u);
    events::EventStore::ReadResult read = store->ReadAfter(2, 3);
    ASSERT_TRUE(read.gap);
    EXPECT_EQ(read.gap->first_missing_seq(), 3u);
    EXPECT_EQ(read.gap->first_available_seq(), 8u);
    ASSERT_EQ(read.events.size(), 3u);
    EXPECT_EQ(read.events[0]->seq, 8u);
    EXPECT_FALSE(store->ReadAfter(7, 10).gap);
  }
}

TEST_F(JetStreamEventStoreTest, NotifyAfterWakesAReaderOnAnotherReplicaWhenTheWriterAppends) {
  std::unique_ptr<JetStreamEventStore> a = OpenOk(Options());
  std::unique_ptr<JetStreamEventStore> b = OpenOk(Options());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::mutex mutex;
  std::condition_variable woken;
  int wakeups = 0;
  const uint64_t id = b->NotifyAfter(0, [&] {
    std::lock_guard<std::mutex> lock(mutex);
    wakeups++;
    woken.notify_all();
  });
  ASSERT_NE(id, 0u);
  const uint64_t cancelled = b->NotifyAfter(0, [] { ADD_FAILURE() << "a cancelled wakeup ran"; });
  ASSERT_TRUE(b->CancelNotify(cancelled));

  a->Append(Text("wxid_a", "wake up"));
  {
    std::unique_lock<std::mutex> lock(mutex);
    ASSERT_TRUE(woken.wait_for(lock, kDeadline, [&] { return wakeups > 0; }));
  }
  EXPECT_GE(b->head_seq(), 1u);
  EXPECT_EQ(b->NotifyAfter(0, [] {}), 0u);  // already newer: read again instead
  EXPECT_FALSE(b->CancelNotify(id));        // it ran
  a->Append(Text("wxid_a", "again"));
  a->Flush();
  ASSERT_TRUE(PollUntil([&] { return b->head_seq() == 2; }, kDeadline));
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(wakeups, 1);  // one-shot
}

TEST_F(JetStreamEventStoreTest, ARestartOfNatsServerLosesNothingAcknowledged) {
  std::unique_ptr<JetStreamEventStore> a = OpenOk(Options());
  std::unique_ptr<JetStreamEventStore> b = OpenOk(Options());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::vector<std::string> wires;
  for (int i = 0; i < 5; ++i) {
    wires.push_back(
        Bytes(a->Append(Text("wxid_a", "before " + std::to_string(i)))->retained->wire));
  }
  a->Flush();
  ASSERT_EQ(a->head_seq(), 5u);  // acknowledged and readable

  server_->Kill();
  ASSERT_TRUE(PollUntil([&] { return !a->connected() && !b->connected(); }, kDeadline));
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(PollUntil([&] { return a->connected() && b->connected(); }, kDeadline));

  for (int i = 0; i < 5; ++i) {
    wires.push_back(Bytes(a->Append(Text("wxid_a", "after " + std::to_string(i)))->retained->wire));
  }
  a->Flush();
  EXPECT_TRUE(a->writer_status().ok()) << a->writer_status();
  ASSERT_TRUE(PollUntil([&] { return b->head_seq() == 10; }, kDeadline)) << b->head_seq();

  std::unique_ptr<JetStreamEventStore> fresh = OpenOk(Options());
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->log_id(), a->log_id());
  for (const JetStreamEventStore* store : {a.get(), b.get(), fresh.get()}) {
    const std::vector<events::RetainedEventPtr> events = ReadAll(*store);
    ASSERT_EQ(events.size(), wires.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i]->seq, i + 1);
      EXPECT_EQ(Bytes(events[i]->wire), wires[i]) << "seq " << i + 1;
    }
  }
}

// A publish that gets no ack (the server is gone) fences the writer within
// publish_ack_timeout: the holder learns it cannot write before it goes on as one.
TEST_F(JetStreamEventStoreTest, APublishWithoutAnAckFencesTheWriter) {
  JetStreamEventStoreOptions options = Options();
  options.publish_ack_timeout = milliseconds(500);
  std::atomic<int> fenced_calls{0};
  options.on_fenced = [&](const absl::Status&) { fenced_calls++; };
  std::unique_ptr<JetStreamEventStore> a = OpenOk(options);
  ASSERT_NE(a, nullptr);
  a->Append(Text("wxid_a", "stored"));
  a->Flush();
  ASSERT_EQ(a->head_seq(), 1u);

  server_->Kill();
  ASSERT_TRUE(PollUntil([&] { return !a->connected(); }, kDeadline));
  EXPECT_EQ(a->Append(Text("wxid_a", "lost"))->event().seq(), 2u);
  ASSERT_TRUE(PollUntil([&] { return fenced_calls.load() == 1; }, kDeadline));
  EXPECT_EQ(a->writer_status().code(), absl::StatusCode::kUnavailable) << a->writer_status();
  EXPECT_EQ(a->head_seq(), 1u);  // never readable
}

TEST_F(JetStreamEventStoreTest, OpenRefusesABadClusterNameAndAnUnreachableServer) {
  JetStreamEventStoreOptions bad_name = Options("a.b");
  EXPECT_EQ(JetStreamEventStore::Open(bad_name).status().code(),
            absl::StatusCode::kInvalidArgument);
  JetStreamEventStoreOptions unreachable = Options();
  server_->Kill();
  unreachable.nats.connect_timeout = milliseconds(500);
  EXPECT_EQ(JetStreamEventStore::Open(unreachable).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace wxbridge::cluster
