
13800000000v1_abc@strangerv4_ticket@stranger"hi