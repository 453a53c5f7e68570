wxbridge_add_gtest(NAME call_table_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/call_table_test.cc
  LIBS wxbridge_calls)
