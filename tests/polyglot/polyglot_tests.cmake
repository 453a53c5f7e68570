# Clients in other languages, and the README's own commands, against a live wxbridge
# (with_bridge.sh starts one on a free port). A test whose runtime is absent exits 77,
# which ctest reports as skipped, with the reason in its output.
if(NOT TARGET wxbridge OR NOT TARGET wxctl)
  return()
endif()

# Python stubs, generated at build time by Debian's protoc and grpc_python_plugin into
# tests/polyglot/python/wxbridge/v1/ (README "Python").
find_program(GRPC_PYTHON_PLUGIN grpc_python_plugin)
set(WXBRIDGE_PYTHON_OUT ${CMAKE_CURRENT_BINARY_DIR}/python)
if(GRPC_PYTHON_PLUGIN)
  file(GLOB protos CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/proto/wxbridge/v1/*.proto)
  set(outputs)
  foreach(proto ${protos})
    get_filename_component(stem ${proto} NAME_WE)
    list(APPEND outputs ${WXBRIDGE_PYTHON_OUT}/wxbridge/v1/${stem}_pb2.py
                        ${WXBRIDGE_PYTHON_OUT}/wxbridge/v1/${stem}_pb2_grpc.py)
  endforeach()
  file(MAKE_DIRECTORY ${WXBRIDGE_PYTHON_OUT})
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND protobuf::protoc -I ${PROJECT_SOURCE_DIR}/proto
            --python_out=${WXBRIDGE_PYTHON_OUT} --grpc_python_out=${WXBRIDGE_PYTHON_OUT}
            --plugin=protoc-gen-grpc_python=${GRPC_PYTHON_PLUGIN} ${protos}
    DEPENDS ${protos} protobuf::protoc
    COMMENT "Python stubs for proto/wxbridge/v1")
  add_custom_target(wxbridge_python_stubs ALL DEPENDS ${outputs})
else()
  message(WARNING "grpc_python_plugin not found: the Python example test will be skipped "
                  "(Debian package protobuf-compiler-grpc)")
endif()

# PART -> expected output. "session" is the README's first session with wxctl.
set(readme_parts session buf python node)
set(expect_session "alice: LOGGED_IN" "bob: LOGGED_IN" "\"text\":\"hello bob\"")
set(expect_buf "wxbridge.v1.BridgeService" "\"upstreamState\": \"UPSTREAM_STATE_CONNECTED\""
               "LOGIN_STATUS_WAITING_FOR_SCAN" "\"hello\": {")
set(expect_python "received \"hello from Python\"")
set(expect_node "received \"hello from Node\"")
foreach(part ${readme_parts})
  set(name polyglot_${part})
  if(part STREQUAL "session")
    set(name readme_first_session)
  endif()
  add_test(NAME ${name}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/with_bridge.sh $<TARGET_FILE:wxbridge>
            ${CMAKE_CURRENT_LIST_DIR}/readme_test.sh ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}
            ${part} ${expect_${part}})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180
                       LABELS polyglot)
endforeach()

add_test(NAME readme_reference
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/readme_reference_test.sh $<TARGET_FILE:wxbridge>
          $<TARGET_FILE:wxctl> ${PROJECT_SOURCE_DIR}/README.md)
set_tests_properties(readme_reference PROPERTIES LABELS polyglot)
