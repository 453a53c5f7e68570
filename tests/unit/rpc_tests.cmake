wxbridge_add_gtest(NAME status_mapping_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/status_mapping_test.cc
  LIBS wxbridge_rpc)
