
13800000000wxid_friend01标题"des*https://example.com2
3057abcdd �*k