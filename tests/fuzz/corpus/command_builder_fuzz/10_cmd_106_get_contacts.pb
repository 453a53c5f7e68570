
jW{"account":"juxiaoxiong","wxIds":"7244722086@chatroom,wxid_ofgv2ps2lznx22,qq512436430"}