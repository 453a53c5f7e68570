
o]{"account":"juxiaoxiong","userKey":"XXXXXXX","content":"通过手机添加好友","scene":15}