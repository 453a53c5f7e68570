
g6{"account":"123456","toUserName":"XXXXX","content":""}