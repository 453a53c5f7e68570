
iS{"account":"a","groupId":"5@chatroom","wxIds":["wxid_a","wxid_b"],"n":[1,2.5,null]}