#!/usr/bin/env python3
"""Writes the kept seed corpus of every fuzz target into tests/fuzz/corpus/<target>/.

Seeds come from the gateway document's samples (tests/unit/testdata) and from the frames
the simulator sends (server/sim/sim_frames.cc, sim_xml.cc), chosen so that each reaches a
branch a mutation alone rarely finds: login statuses with valid inner JSON, base64 images,
the group-change and recall XML, binary (non-UTF-8) frames, every command request.
Re-run after a protocol change; libFuzzer adds what it finds on top (scripts/fuzz.sh).
"""
import base64
import json
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
TESTDATA = HERE.parent / "unit" / "testdata"
AUTH_KEY = "fuzz-auth-key"  # what sim_request_fuzz.cc passes as the expected key
# A 1x1 grey PNG: real base64 image data for QR codes and thumbnails.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c63600000000200015e2e6b0e0000000049454e44ae426082")
PNG_B64 = base64.b64encode(PNG).decode()


def write(target, name, data):
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (folder / name).write_bytes(data)


def dump(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def strict(text):
    """The document's samples have trailing commas; strict JSON for the request parser."""
    return re.sub(r",(\s*[}\]])", r"\1", text)


# ---- protobuf wire format (enough for the request messages)
def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, value):
    if isinstance(value, str):
        value = value.encode()
    return varint(number << 3 | 2) + varint(len(value)) + value


def message(*fields):
    return b"".join(fields)


def frame_decoder_seeds():
    t = "frame_decoder_fuzz"
    for sample in sorted(TESTDATA.glob("push_*.json")):
        write(t, sample.name, sample.read_bytes())

    def envelope(msg_type, **fields):
        frame = {"MsgId": 0, "NewMsgId": 7301, "cmdId": "c-1", "MsgType": msg_type,
                 "account": 13800000000}
        frame.update(fields)
        return dump(frame)

    for status, msg in [(1, "等待扫码"), (3, "已扫码"), (4, "登录中"), (5, "二维码过期"),
                        (6, "登录失败"), (7, "登录成功"), (8, "已退出"), (42, "unknown")]:
        content = {"wxId": "wxid_self01", "status": status, "msg": msg,
                   "data": PNG_B64 if status == 1 else ""}
        write(t, f"status_{status}.json", envelope(0, Content=dump(content)))
    write(t, "status_data_url.json", envelope(0, Content=dump(
        {"wxId": "", "status": 1, "msg": "", "data": "data:image/png;base64," + PNG_B64})))
    write(t, "status_object_content.json", envelope(0, Content={"wxId": "w", "status": "7"}))
    write(t, "status_bad_base64.json", envelope(0, Content=dump({"status": 1, "data": "@@=="})))
    write(t, "ack.json", envelope(0, Content='{"code":0,"msg":"ok"}'))
    write(t, "error_auth.json", envelope(-1, Content="授权码无效"))
    write(t, "error_string_msgtype.json", envelope("-1", Content="bad request"))
    common = {"FromUserName": "wxid_friend01", "ToUserName": "wxid_self01",
              "CreateTime": 1700000000, "Status": 3, "ImgStatus": 1,
              "MsgSource": "<msgsource/>", "PushContent": "p"}
    write(t, "msg_text.json", envelope(1, Content="你好 hello", **common))
    write(t, "msg_text_group.json", envelope(
        1, Content="wxid_member01:\nhello group", **dict(common, FromUserName="5@chatroom")))
    write(t, "msg_image.json", envelope(3, Content=IMAGE_XML, data=PNG_B64, **common))
    write(t, "msg_friend_request.json", envelope(37, Content=FRIEND_XML, **common))
    write(t, "msg_location.json", envelope(48, Content=LOCATION_XML, **common))
    write(t, "msg_app.json", envelope(49, Content=APP_XML, **common))
    write(t, "msg_system_notice.json", envelope(10000, Content="你已添加了柚子", **common))
    group = dict(common, FromUserName="5@chatroom")
    write(t, "msg_group_plain.json", envelope(10002, Content='"柚子"加入了群聊', **group))
    write(t, "msg_group_revoke.json",
          envelope(10002, Content="wxid_abc:\n" + REVOKE_XML, **group))
    write(t, "msg_group_template.json", envelope(10002, Content=TEMPLATE_XML, **group))
    write(t, "msg_create_time_string.json",
          envelope("1", Content="x", **dict(common, CreateTime="99999999999999")))
    write(t, "contact_self.json", envelope(101, UserName="wxid_self01", NickName="me",
                                           BindUin=123, BindEmail="", BindMobile="138"))
    write(t, "not_object.json", "[1,2,3]")
    write(t, "no_msgtype.json", '{"MsgId":1,"account":"a"}')
    write(t, "binary_not_utf8.bin", b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x01{\"MsgType\":1}\xc3")
    write(t, "binary_truncated_utf8.bin", '{"MsgType":1,"Content":"你'.encode()[:-1])


IMAGE_XML = ('<?xml version="1.0"?><msg><img aeskey="k1" encryver="1" cdnthumbaeskey="k1" '
             'cdnthumburl="3057020100044b" cdnthumblength="3855" cdnthumbheight="120" '
             'cdnthumbwidth="120" cdnmidimgurl="3057" length="51234" cdnbigimgurl="3057" '
             'hdlength="51234" md5="0123456789abcdef0123456789abcdef" /></msg>')
LOCATION_XML = ('<msg><location x="39.984" y="116.307" scale="16" label="北京市海淀区" '
                'poiname="中关村" /></msg>')
APP_XML = ('<msg><appmsg appid="wx123" sdkver="0"><title>标题 &amp; more</title>'
           '<des>描述</des><type>5</type><url>https://example.com/a?b=1&amp;c=2</url>'
           '<thumburl>http://t</thumburl><appattach><cdnthumburl>3057</cdnthumburl>'
           '<cdnthumbmd5>abcd</cdnthumbmd5><cdnthumblength>100</cdnthumblength>'
           '<cdnthumbheight>160</cdnthumbheight><cdnthumbwidth>160</cdnthumbwidth>'
           '<cdnthumbaeskey>k</cdnthumbaeskey></appattach></appmsg>'
           '<fromusername>wxid_friend01</fromusername></msg>')
FRIEND_XML = ('<msg fromusername="wxid_new01" encryptusername="v1_abc@stranger" '
              'fromnickname="新朋友" content="我是柚子" fullpy="" shortpy="" imagestatus="3" '
              'scene="30" ticket="v4_ticket@stranger" opcode="2" sourceusername="" '
              'sourcenickname="" />')
REVOKE_XML = ('<sysmsg type="revokemsg"><revokemsg><session>5@chatroom</session>'
              '<newmsgid>123</newmsgid><replacemsg><![CDATA["柚子" 撤回了一条消息]]>'
              '</replacemsg></revokemsg></sysmsg>')
TEMPLATE_XML = ('<sysmsg type="sysmsgtemplate"><sysmsgtemplate><content_template '
                'type="tmpl_type_profile"><plain><![CDATA[]]></plain><template><![CDATA['
                '"$username$"邀请"$names$"加入了群聊]]></template><link_list><link '
                'name="username"><memberlist><member><username>wxid_admin</username>'
                '</member></memberlist></link><link name="names"><memberlist><member>'
                '<username>wxid_a</username></member><member><username>wxid_b</username>'
                '</member></memberlist></link></link_list></content_template>'
                '</sysmsgtemplate></sysmsg>')


def message_xml_seeds():
    t = "message_xml_fuzz"
    for name, xml in [("image.xml", IMAGE_XML), ("location.xml", LOCATION_XML),
                      ("app.xml", APP_XML), ("friend_request.xml", FRIEND_XML),
                      ("group_revoke.xml", REVOKE_XML), ("group_template.xml", TEMPLATE_XML),
                      ("entities.xml", '<msg><img aeskey="&#x4e2d;&lt;&#0;&#xD800;" /></msg>'),
                      ("doctype.xml", '<!DOCTYPE msg [<!ENTITY a "aaaa">]><msg>&a;</msg>'),
                      ("plain.txt", '"柚子"加入了群聊')]:
        write(t, name, xml)


def command_builder_seeds():
    t = "command_builder_fuzz"
    account = field_bytes(1, "13800000000")
    requests = {
        0: ("login", message(account)),
        1: ("logout", message(account)),
        2: ("send_text", message(account, field_bytes(2, "wxid_friend01"),
                                 field_bytes(3, "你好\n\x01\"\\"))),
        3: ("send_link", message(account, field_bytes(2, "wxid_friend01"), field_bytes(3, "标题"),
                                 field_bytes(4, "des"), field_bytes(5, "https://example.com"),
                                 field_bytes(6, message(field_bytes(1, "3057"),
                                                        field_bytes(2, "abcd"),
                                                        field_varint(3, 100),
                                                        field_varint(4, 160),
                                                        field_bytes(5, "k"))))),
        4: ("kick", message(account, field_bytes(2, "5@chatroom"), field_bytes(3, "wxid_a"))),
        5: ("get_contacts", message(account, field_bytes(2, "wxid_a"), field_bytes(2, "wxid_b"),
                                    field_bytes(2, "5@chatroom"))),
        6: ("accept_friend", message(account, field_bytes(2, "v1_abc@stranger"),
                                     field_bytes(3, "v4_ticket@stranger"), field_bytes(4, "hi"))),
        7: ("invite", message(account, field_bytes(2, "5@chatroom"), field_bytes(3, "wxid_a"))),
        8: ("send_image", message(account, field_bytes(2, "wxid_friend01"), field_bytes(3, PNG))),
        9: ("add_friend", message(account, field_bytes(2, "wxid_new01"), field_bytes(3, "hi"))),
    }
    for selector, (name, body) in requests.items():
        write(t, f"{selector:02d}_{name}.pb", bytes([selector]) + body)
    # SendRaw (selector 10): the document's command samples as data_json, and shapes that
    # reach its correlation fields and limits.
    raws = []
    for sample in sorted(TESTDATA.glob("cmd_*.json")):
        frame = json.loads(strict(sample.read_text()))
        raws.append((sample.stem, frame["code"], dump(frame.get("data", {}))))
    raws += [
        ("raw_correlation", 105, dump({"account": "a", "groupId": "5@chatroom",
                                       "wxIds": ["wxid_a", "wxid_b"], "n": [1, 2.5, None]})),
        ("raw_image", 109, dump({"account": "a", "imgBuff": PNG_B64, "toUserWxId": "b"})),
        ("raw_nested", 200, '{"a":{"b":{"c":[{"d":"\\u00e9\\ud83d\\ude00"}]}}}'),
        ("raw_empty", 110, ""),
        ("raw_rebind", 100, "{}"),
        ("raw_not_object", 103, "[1]"),
        ("raw_duplicate_keys", 103, '{"account":"a","account":"b"}'),
    ]
    for name, code, data_json in raws:
        write(t, f"10_{name}.pb", bytes([10]) + field_varint(1, code) + field_bytes(2, data_json))


def subscribe_request_seeds():
    t = "subscribe_request_fuzz"
    kinds_packed = field_bytes(2, b"".join(varint(k) for k in [1, 2, 9, 13]))
    duration = lambda s, n: field_bytes(4, message(field_varint(1, s), field_varint(2, n)))
    seeds = {
        "empty.pb": b"",
        "accounts_kinds.pb": message(field_bytes(1, "13800000000"), field_bytes(1, "alice"),
                                     kinds_packed),
        "kind_unpacked.pb": message(field_varint(2, 4), field_varint(2, 99)),
        "resume.pb": message(field_varint(3, 41), duration(5, 0), field_varint(5, 64)),
        "heartbeat_negative.pb": duration(-1, -5),
        "heartbeat_huge.pb": duration(10**12, 999999999),
        "heartbeat_bad_nanos.pb": duration(1, 2 * 10**9),
        "after_seq_max.pb": field_varint(3, (1 << 64) - 1),
    }
    for name, data in seeds.items():
        write(t, name, data)


def sim_request_seeds():
    t = "sim_request_fuzz"
    for sample in sorted(TESTDATA.glob("cmd_*.json")):
        frame = json.loads(strict(sample.read_text()))
        frame["authKey"] = AUTH_KEY
        frame["msgId"] = 17
        frame["cmdId"] = "c-17"
        write(t, sample.name, dump(frame))
    image = {"code": 109, "authKey": AUTH_KEY, "msgId": 18,
             "data": {"account": "juxiaoxiong", "imgBuff": PNG_B64, "toUserWxId": "qq512436430"}}
    write(t, "cmd_109_send_image.json", dump(image))
    write(t, "bad_auth.json", dump({"code": 103, "authKey": "nope", "msgId": 1, "data": {}}))
    write(t, "code_string.json", dump({"code": "103", "authKey": AUTH_KEY, "data": {}}))
    write(t, "data_array.json", dump({"code": 103, "authKey": AUTH_KEY, "data": [1]}))
    write(t, "numbers_as_strings.json", dump(
        {"code": 106, "authKey": AUTH_KEY, "msgId": "3", "cmdId": 4,
         "data": {"account": 13800000000, "type": "2", "wxIds": ["a"]}}))
    write(t, "not_utf8.bin", b'{"code":1,"authKey":"\xff"}')


def forwarded_call_seeds():
    t = "forwarded_call_fuzz"
    command = {"code": 103, "account": "a",
               "data": dump({"account": "a", "toUserName": "b", "content": "hi"}),
               "group_id": "", "wx_ids": [], "chat": "b", "time_left_ms": 900}
    write(t, "command_send_text", dump(command))
    # Found by the fuzzer: a code no integer type holds (a cast of it is undefined).
    write(t, "command_code_float_overflow",
          dump(dict(command, code=-9223372036854775809103, data='{"ahi"}', time_left_ms=800)))
    write(t, "answer_ok", dump({"code": 0, "message": "", "ack": "CAcSB3d4Yi14LTc=",
                                "replies": ["CCk="], "missing": ["x"]}))
    write(t, "answer_error", dump({"code": 9, "message": "the gateway rejected code 103: no",
                                   "ack": "", "replies": [], "missing": []}))
    write(t, "not_holder", dump({"not_holder": True}))


def main():
    for folder in (HERE / "corpus").glob("*"):
        for old in folder.glob("*"):
            old.unlink()
    frame_decoder_seeds()
    message_xml_seeds()
    command_builder_seeds()
    subscribe_request_seeds()
    sim_request_seeds()
    forwarded_call_seeds()
    for folder in sorted((HERE / "corpus").iterdir()):
        print(f"{folder.name}: {len(list(folder.iterdir()))} seeds")


if __name__ == "__main__":
    main()
