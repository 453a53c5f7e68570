wxbridge_add_gtest(NAME backoff_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/backoff_test.cc
  LIBS wxbridge_upstream)
wxbridge_add_gtest(NAME upstream_url_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/upstream_url_test.cc
  LIBS wxbridge_upstream)
find_package(OpenSSL REQUIRED)
wxbridge_add_gtest(NAME upstream_client_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/upstream_client_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/upstream_test_server.cc
  LIBS wxbridge_upstream Boost::headers OpenSSL::SSL OpenSSL::Crypto absl::strings
       Threads::Threads)
