
iG{"account":"","userId":"wxid_tdax1huk5hgs12","groupId":"XXXX@chatroom"}