# wxbench: the load generator and the servers it measures (README "## Benchmarks").
# Runs from scripts/bench.sh in a Release build; ctest only runs a short smoke pass.
add_library(wxbench_lib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/bench_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/bench_servers.cc
  ${CMAKE_CURRENT_LIST_DIR}/child_process.cc
  ${CMAKE_CURRENT_LIST_DIR}/closed_loop.cc
  ${CMAKE_CURRENT_LIST_DIR}/fanout_bench.cc
  ${CMAKE_CURRENT_LIST_DIR}/grpc_load.cc
  ${CMAKE_CURRENT_LIST_DIR}/latency.cc
  ${CMAKE_CURRENT_LIST_DIR}/process_stats.cc
  ${CMAKE_CURRENT_LIST_DIR}/send_text_bench.cc
  ${CMAKE_CURRENT_LIST_DIR}/subscriber_fleet.cc
  ${CMAKE_CURRENT_LIST_DIR}/ws_load_client.cc)
target_include_directories(wxbench_lib PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wxbench_lib PUBLIC wxbridge_proto wxbridge_protocol wxbridge_sim
                      wxbridge_upstream gRPC::grpc++ absl::status absl::statusor
                      absl::str_format nlohmann_json::nlohmann_json Boost::headers
                      Threads::Threads)

# The gRPC ceiling: a bare callback-API SendText.
add_executable(wxbench_ceiling ${CMAKE_CURRENT_LIST_DIR}/ceiling_main.cc)
target_link_libraries(wxbench_ceiling PRIVATE wxbridge_proto gRPC::grpc++)

# The simulator in a process of its own, with a stdin command to push events.
add_executable(wxbench_sim ${CMAKE_CURRENT_LIST_DIR}/sim_host_main.cc)
target_include_directories(wxbench_sim PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(wxbench_sim PRIVATE wxbridge_sim absl::flags absl::flags_parse)

add_executable(wxbench ${CMAKE_CURRENT_LIST_DIR}/wxbench_main.cc)
target_link_libraries(wxbench PRIVATE wxbench_lib absl::flags absl::flags_parse
                      absl::flags_usage)
add_dependencies(wxbench wxbridge wxbench_ceiling wxbench_sim)
target_compile_definitions(wxbench PRIVATE
  WXBENCH_BRIDGE_BINARY="$<TARGET_FILE:wxbridge>"
  WXBENCH_CEILING_BINARY="$<TARGET_FILE:wxbench_ceiling>"
  WXBENCH_SIM_BINARY="$<TARGET_FILE:wxbench_sim>")

# Keeps the harness working; figures from a debug build on a busy CI box mean nothing,
# so nothing here is timed or asserted beyond "it ran".
add_test(NAME bench_smoke
         COMMAND wxbench --smoke --json=${CMAKE_BINARY_DIR}/bench/smoke.json
                 --log_dir=${CMAKE_BINARY_DIR}/bench)
set_tests_properties(bench_smoke PROPERTIES TIMEOUT 120 LABELS bench)
