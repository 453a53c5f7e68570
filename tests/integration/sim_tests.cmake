# Gateway simulator tests, through real WebSockets, and the reusable test client.
add_library(wxbridge_test_support STATIC ${PROJECT_SOURCE_DIR}/tests/support/ws_test_client.cc)
target_include_directories(wxbridge_test_support PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wxbridge_test_support PUBLIC absl::status PRIVATE Boost::headers
                      absl::strings Threads::Threads)

set(_sim_test_dir ${CMAKE_CURRENT_LIST_DIR})
wxbridge_add_gtest(NAME sim_test
  SOURCES ${_sim_test_dir}/sim_test_fixture.cc
          ${_sim_test_dir}/sim_login_test.cc
          ${_sim_test_dir}/sim_errors_test.cc
          ${_sim_test_dir}/sim_messages_test.cc
          ${_sim_test_dir}/sim_social_test.cc
          ${_sim_test_dir}/sim_hooks_test.cc
          ${_sim_test_dir}/sim_wxsim_process_test.cc
  LIBS wxbridge_sim wxbridge_test_support wxbridge_protocol wxbridge_common nlohmann_json::nlohmann_json
       pugixml::pugixml PNG::PNG
  LABELS integration sim)
add_dependencies(sim_test wxsim)
target_compile_definitions(sim_test PRIVATE WXSIM_PATH="$<TARGET_FILE:wxsim>")
