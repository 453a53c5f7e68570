
13800000000
5@chatroomwxid_a