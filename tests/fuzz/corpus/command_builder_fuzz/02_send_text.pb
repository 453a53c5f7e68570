
13800000000wxid_friend01
你好
"\