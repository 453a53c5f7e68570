// Graceful shutdown in-process: calls already sent upstream get the grace to complete,
// new calls are refused, streams end with UNAVAILABLE, and idle client connections do
// not hold the shutdown for the whole grace.
#include <future>
#include <string>

#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"

namespace wxbridge::testing {
namespace {

TEST(BridgeShutdownTest, InFlightCallsCompleteNewOnesAreRefusedStreamsEnd) {
  BridgeHarness harness(HarnessOptions{sim::AckMode::kNone});
  auto stream = harness.Subscribe();
  ASSERT_TRUE(harness.LogIn("alice", *stream));

  // A look-up of an id that never arrives completes (partially) at its deadline, 1 s on.
  auto in_flight = std::async(std::launch::async, [&] {
    v1::GetContactsRequest request;
    request.set_account("alice");
    request.add_wx_ids("wxid_never_there");
    v1::GetContactsResponse response;
    grpc::Status status =
        harness.stub().GetContacts(Context(milliseconds(1000)).get(), request, &response);
    return std::make_pair(status, response);
  });
  ASSERT_TRUE(harness.sim().WaitForReceived(
      [](const std::vector<std::string>& frames) {
        for (const auto& f : frames) {
          if (f.find("wxid_never_there") != std::string::npos) return true;
        }
        return false;
      },
      kWait));

  const auto started = std::chrono::steady_clock::now();
  auto shutdown = std::async(std::launch::async, [&] { harness.bridge().Shutdown(); });

  auto stream_end = stream->WaitForEnd();
  ASSERT_TRUE(stream_end.has_value());
  EXPECT_EQ(stream_end->error_code(), grpc::StatusCode::UNAVAILABLE);

  // Refused at once while the in-flight call still runs (or the server already left).
  v1::SendTextRequest text;
  text.set_account("alice");
  text.set_to_user_name("wxid_x");
  text.set_content("late");
  v1::SendTextResponse text_response;
  grpc::Status late = harness.stub().SendText(Context().get(), text, &text_response);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::UNAVAILABLE) << late.error_message();

  auto [status, response] = in_flight.get();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(response.ack().completion(), v1::COMPLETION_PARTIAL);
  EXPECT_EQ(response.missing_wx_ids_size(), 1);

  shutdown.get();
  // The default grace is 3 s; the call needed about 1 s, and idle connections (this
  // test's channel stays open) must not add the rest of the grace.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
}

}  // namespace
}  // namespace wxbridge::testing
