
13800000000wxid_awxid_b
5@chatroom