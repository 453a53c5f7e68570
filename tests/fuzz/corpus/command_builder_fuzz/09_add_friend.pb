	
13800000000
wxid_new01hi